# greylogd/: greylogd (spamlogd)
#
# Every greylogd/*.c that is not the program's main file goes into
# build/greylogd/libgreylogd.a (unit tests link it).

GREYLOGD_MAINS := greylogd/greylogd.c
DIRS	+= greylogd
LIB_greylogd := $(filter-out $(GREYLOGD_MAINS),$(sort $(wildcard \
	greylogd/*.c)))
PROGS	+= $(basename $(notdir $(wildcard $(GREYLOGD_MAINS))))
greylogd_DIR := greylogd
greylogd_MAIN := greylogd/greylogd.c
MANS	+= $(sort $(wildcard greylogd/*.[1-8]))
