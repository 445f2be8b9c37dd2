# greyd/: greyd, greydb, greyd-setup (spamd, spamdb, spamd-setup)
#
# Every greyd/*.c that is not a program's main file goes into
# build/greyd/libgreyd.a; a program exists once its main file does.

GREYD_MAINS := greyd/greyd.c greyd/greydb.c greyd/greyd-setup.c
DIRS	+= greyd
LIB_greyd := $(filter-out $(GREYD_MAINS),$(sort $(wildcard greyd/*.c \
	greyd/*.y)))
PROGS	+= $(basename $(notdir $(wildcard $(GREYD_MAINS))))
greyd_DIR := greyd
greyd_MAIN := greyd/greyd.c
greydb_DIR := greyd
greydb_MAIN := greyd/greydb.c
greyd-setup_DIR := greyd
greyd-setup_MAIN := greyd/greyd-setup.c
MANS	+= $(sort $(wildcard greyd/*.[1-8]))
