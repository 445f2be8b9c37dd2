# greysync/: greysync (spamd's -Y/-y sync, udp/8025)
#
# Every greysync/*.c but the main file goes into build/greysync/
# libgreysync.a, linked by the program and the unit tests.

GREYSYNC_MAINS := greysync/greysync.c
DIRS	+= greysync
LIB_greysync := $(filter-out $(GREYSYNC_MAINS),$(sort $(wildcard \
	greysync/*.c)))
PROGS	+= $(basename $(notdir $(wildcard $(GREYSYNC_MAINS))))
greysync_DIR := greysync
greysync_MAIN := greysync/greysync.c
MANS	+= $(sort $(wildcard greysync/*.[1-8]))
