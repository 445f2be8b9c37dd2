# filterd/: filterd (spampd + SpamAssassin)
#
# Every filterd/*.c that is not the program's main file goes into
# build/filterd/libfilterd.a; the program exists once its main file does.

FILTERD_MAINS := filterd/filterd.c
DIRS	+= filterd
LIB_filterd := $(filter-out $(FILTERD_MAINS),$(sort $(wildcard filterd/*.c \
	filterd/*.y)))
PROGS	+= $(basename $(notdir $(wildcard $(FILTERD_MAINS))))
filterd_DIR := filterd
filterd_MAIN := filterd/filterd.c
MANS	+= $(sort $(wildcard filterd/*.[1-8]))
