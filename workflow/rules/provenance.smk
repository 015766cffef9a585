# What a reviewer needs to check a reproduction: versions, config, seeds, input checksums.


rule provenance:
    input:
        raw=list(WAVES.values()),
        config_files=[config["codebook"]] + sorted({f for m in MODELS.values() for f in m["files"]}),
    output:
        "reports/provenance.json",
    params:
        config=config,
        unread=UNREAD,
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/provenance/provenance.tsv",
    log:
        "logs/provenance.log",
    run:
        in_process("provenance.py", input, output, params, wildcards, log)
