# Snakemake reads config/config.yaml itself (configfile:, UTF-8 only) before any alianza code runs;
# a file saved in another encoding stops here with one line instead of a traceback.
from alianza.errors import AlianzaError
from alianza.workflow import fail
from alianza.yamlfiles import require_utf8

try:
    require_utf8("config/config.yaml")
except AlianzaError as exc:
    fail(exc)
