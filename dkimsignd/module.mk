# dkimsignd/: dkimsignd, dkim-genkey (dkimproxy_out, dkim-genkey)
#
# Every dkimsignd/*.c that is not a program's main file goes into
# build/dkimsignd/libdkimsignd.a; a program exists once its main file
# does.

DKIMSIGND_MAINS := dkimsignd/dkimsignd.c dkimsignd/dkim-genkey.c
DIRS	+= dkimsignd
LIB_dkimsignd := $(filter-out $(DKIMSIGND_MAINS),$(sort \
	$(wildcard dkimsignd/*.c dkimsignd/*.y)))
PROGS	+= $(basename $(notdir $(wildcard $(DKIMSIGND_MAINS))))
dkimsignd_DIR := dkimsignd
dkimsignd_MAIN := dkimsignd/dkimsignd.c
dkim-genkey_DIR := dkimsignd
dkim-genkey_MAIN := dkimsignd/dkim-genkey.c
MANS	+= $(sort $(wildcard dkimsignd/*.[1-8]))
