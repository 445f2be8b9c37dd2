# conf/: example configurations, the nftables ruleset, rc.d scripts and
# systemd units; `make install` copies them under EXAMPLEDIR.
CONFS	+= $(sort $(wildcard conf/*.conf conf/nftables/*.nft conf/rc.d/* \
	conf/systemd/*))
