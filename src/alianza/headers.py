"""Match the header of a delivered survey export to the codebook, using what the codebook already knows.

A delivered column is, in this order of lookup:

1. what the wave's column map says (data/raw/<wave>.columns.yaml: header -> variable id,
   ``ignore`` or ``personal``);
2. a codebook variable by its id or an alias, written as in the codebook (case aside);
3. a survey tool's own metadata column (Google Forms, KoboToolbox/ODK, LimeSurvey,
   Qualtrics; TOOL_COLUMNS), written exactly as the tool writes it: kept out of the
   analysis and recorded, so Kobo's ``_id`` is not the id alias ``id``;
4. a codebook variable by id, alias, question text (es/en), label, consent question or
   a personal-data entry, compared by header_key (case, accents, spacing, punctuation and
   the ``¿ ?`` of a question ignored), also after dropping a Kobo/ODK group path
   (``grupo_e1/e1_1``; ODK Central: ``grupo_e1-e1_1``) or a LimeSurvey array name (``E1[e1_1]``), and, for Qualtrics,
   by the question text of its second header row (or the part after its last " - ");
5. otherwise unknown: listed with the closest codebook match.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from .errors import ConfigError, InputError

# Metadata columns each tool adds to its export; the second set is personal data.
TOOL_COLUMNS = {
    "Google Forms": (
        {"Marca temporal", "Timestamp", "Dirección de correo electrónico", "Email address", "Puntuación", "Score"},
        {"Dirección de correo electrónico", "Email address"},
    ),
    "KoboToolbox/ODK": (
        {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "audit",
         "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
         "__version__", "_version_", "_tags", "_index", "_parent_index", "_parent_table_name", "_xform_id_string",
         "_attachments", "_geolocation", "_duration", "formhub/uuid", "meta/instanceID", "meta/instanceName",
         "meta/rootUuid", "meta/deprecatedID", "meta/audit"},
        {"deviceid", "subscriberid", "simserial", "phonenumber", "username", "_submitted_by", "_geolocation"},
    ),
    "ODK Central": (
        {"SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
         "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "meta-instanceID", "meta-instanceName"},
        {"SubmitterID", "SubmitterName", "DeviceID"},
    ),
    "LimeSurvey": (
        {"id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl",
         "token", "interviewtime", "optout", "emailstatus", "firstname", "lastname", "email"},
        {"ipaddr", "refurl", "token", "firstname", "lastname", "email"},
    ),
    "Qualtrics": (
        {"StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
         "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
         "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
         "Q_RecaptchaScore", "Q_RelevantIDDuplicate"},
        {"IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
         "LocationLatitude", "LocationLongitude"},
    ),
}
# Kobo/ODK split a geopoint question into _<name>_latitude ... columns: a location is personal data.
_KOBO_GEOPOINT = re.compile(r"^_.+_(latitude|longitude|altitude|precision)$")
_LIMESURVEY_ARRAY = re.compile(r"^[^\[\]]+\[([^\[\]]+)\]$")
# ODK Central joins group and field names with '-' (grupo_e1-e1_1); only names, no spaces.
_ODK_CENTRAL_PATH = re.compile(r"^[A-Za-z_][\w.]*(?:-[A-Za-z_][\w.]*)+$")
MAP_IGNORE, MAP_PERSONAL = "ignore", "personal"


def header_key(text) -> str:
    """A header or question text for comparison: '¿Es un negocio  familiar?' == 'es un negocio familiar',
    'Firm ID' == 'firm_id'."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.split(r"[^0-9a-z]+", text)).strip()


def _tool_lookup() -> tuple[dict[str, str], set[str]]:
    tools, personal = {}, set()
    for tool, (cols, pers) in TOOL_COLUMNS.items():
        for c in cols:
            tools.setdefault(c.casefold(), tool)
        personal |= {p.casefold() for p in pers}
    return tools, personal


@dataclass
class HeaderMatch:
    columns: dict = field(default_factory=dict)  # codebook variable -> header
    consent: str | None = None  # header of the consent question
    tool: dict = field(default_factory=dict)  # header -> tool (metadata kept out of the analysis)
    personal: list = field(default_factory=list)  # headers holding personal data
    ignored: list = field(default_factory=list)  # headers the codebook or the column map ignores
    unknown: dict = field(default_factory=dict)  # header -> closest codebook match (or None)
    how: dict = field(default_factory=dict)  # header -> how it was matched


def match_headers(headers, codebook, file, *, question_texts=None, column_map=None, map_file=None) -> HeaderMatch:
    """Sort every delivered header (see module doc). Two columns for one variable, a required
    variable absent, a wave column, or a column map naming no variable stop with one line."""
    question_texts = question_texts or {}
    column_map = column_map or {}
    exact, keyed = _codebook_lookup(codebook)
    tools, tool_personal = _tool_lookup()
    ignore = {header_key(c) for c in codebook.ignore_columns}
    known = {v.name for v in codebook.variables()} | set(codebook.personal_ids)
    if codebook.consent is not None:
        known.add(codebook.consent.name)

    m = HeaderMatch()
    candidates: dict[str, list[str]] = {}

    def found(target, header, how):
        m.how[header] = how
        candidates.setdefault(target, []).append(header)

    for header in headers:
        if header in column_map:
            target = column_map[header]
            if target == MAP_IGNORE:
                m.ignored.append(header)
                m.how[header] = "column map"
            elif target == MAP_PERSONAL:
                m.personal.append(header)
                m.how[header] = "column map"
            elif target in known:
                found(target, header, "column map")
            else:
                raise ConfigError(
                    f"{target!r} is not a codebook variable (nor {MAP_IGNORE!r} or {MAP_PERSONAL!r})",
                    file=map_file, key=header,
                )
            continue
        name = exact.get(header.strip().casefold())
        if name is not None:
            found(name, header, "name")
            continue
        if header.strip().casefold() in tools:
            m.tool[header] = tools[header.strip().casefold()]
            continue
        if _KOBO_GEOPOINT.match(header.strip()):
            m.tool[header] = "KoboToolbox/ODK"
            continue
        name, how = _by_key(header, question_texts.get(header), exact, keyed)
        if name is not None:
            found(name, header, how)
        elif header_key(header) in ignore:
            m.ignored.append(header)
        elif header_key(header) == header_key(codebook.wave_name):
            raise InputError(
                "the wave is set by ingestion from the file name (or --wave); remove this column, "
                "list it under the codebook's ignore_columns or map it to 'ignore' in the wave's column map",
                file=file, column=header,
            )
        else:
            m.unknown[header] = _closest(header, question_texts.get(header), keyed)

    for target, hs in candidates.items():
        if len(hs) > 1:  # a tool's own column that looks like a variable (LimeSurvey's id) yields
            own = [h for h in hs if h.strip().casefold() not in tools]
            for h in hs:
                if h not in own and len(own) == 1:
                    m.tool[h] = tools[h.strip().casefold()]
            hs = own if len(own) == 1 else hs
        if len(hs) > 1:
            raise InputError(f"columns {hs[0]!r} and {hs[1]!r} are both codebook variable {target!r}",
                             file=file, column=hs[1])
        header = hs[0]
        if target in codebook.personal_ids:
            m.personal.append(header)
        elif codebook.consent is not None and target == codebook.consent.name:
            m.consent = header
        else:
            m.columns[target] = header
    m.personal += [h for h in m.tool if h.strip().casefold() in tool_personal or _KOBO_GEOPOINT.match(h.strip())]
    m.personal = list(dict.fromkeys(m.personal))
    for var in codebook.variables():
        if var.name not in m.columns and var.required:
            raise InputError(f"required column missing from the file (codebook {var.key})", file=file, column=var.name)
    if codebook.consent is not None and codebook.consent.required and m.consent is None:
        raise InputError("the consent question is missing from the file (codebook consent)", file=file,
                         column=codebook.consent.name)
    return m


def _codebook_lookup(codebook):
    """Exact (case-folded) ids and aliases; and header_key of ids, aliases and texts -> target id."""
    exact: dict[str, str] = {}
    keyed: dict[str, str] = {}
    for target, names, texts in codebook.header_sources():
        for n in names:
            exact.setdefault(n.strip().casefold(), target)
            keyed.setdefault(header_key(n), target)
        for t in texts:
            keyed.setdefault(header_key(t), target)
    return exact, keyed


def _by_key(header, question_text, exact, keyed):
    tries = [(header, "header text")]
    last = header.rsplit("/", 1)[-1]
    if last == header and _ODK_CENTRAL_PATH.match(header.strip()):
        last = header.strip().rsplit("-", 1)[-1]
    if last != header:
        tries.append((last, "group path"))
    arr = _LIMESURVEY_ARRAY.match(header.strip())
    if arr:
        tries.append((arr.group(1), "bracketed row (grid or array)"))
    if question_text:
        tries.append((question_text, "question text"))
        if " - " in question_text:
            tries.append((question_text.rsplit(" - ", 1)[1], "question text"))
    for text, how in tries:
        name = exact.get(text.strip().casefold()) or keyed.get(header_key(text))
        if name is not None:
            return name, how
    return None, None


def _closest(header, question_text, keyed):
    texts = [header] + ([question_text] if question_text else [])
    best, score = None, 0.0
    for t in texts:
        k = header_key(t)
        for cand in difflib.get_close_matches(k, list(keyed), n=1, cutoff=0.6):
            r = difflib.SequenceMatcher(None, k, cand).ratio()
            if r > score:
                best, score = keyed[cand], r
    return best


def check_unique_keys(codebook) -> None:
    """Every id, alias and text must point at one variable only after header_key (codebook check)."""
    seen: dict[str, tuple[str, str]] = {}
    for target, names, texts in codebook.header_sources():
        for what in (*names, *texts):
            k = header_key(what)
            if k in seen and seen[k][0] != target:
                raise ConfigError(
                    f"{what!r} of {target!r} reads the same as {seen[k][1]!r} of {seen[k][0]!r} once case, "
                    "accents and punctuation are ignored", file=codebook.source, key=target,
                )
            seen.setdefault(k, (target, what))
