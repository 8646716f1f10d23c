"""Audit evidence out: the ledger in the formats SIEMs read, exported, shipped live, with its checkpoints.

`formats` turns a ledger entry or a checkpoint into one line of json, ecs, cef, leef, leef2, ocsf
or splunk-hec; `export` writes a time range of them; `spool`, `hec`, `syslog` and `ship` follow the
ledger and deliver new entries to a Splunk HEC endpoint or a syslog (RFC 5424) receiver. The shipper
is a separate process: governed operations only append to SQLite and never wait for a receiver.
docs/siem.md documents every mapping.
"""
