"""Regular expressions over normalised text, shared by the features and the evidence.

Normalised text is case-folded and has ASCII digits (see
:mod:`adclassify.normalize`). Every pattern is linear-time: possessive
quantifiers, fixed-width look-arounds of one or two characters, and a literal or a character
class first so that the scan is fast.
"""

import re

#: A phone number: international (+ or 00) or national, 7 to 16 digits with separators.
#: It reads "(?<![\w+])(?:\+|00)?+\d(?:[ .\-()]{0,2}+\d){6,15}+(?!\w)", rewritten to
#: start with a character class (the engine then scans for it quickly): the
#: first character is "+" or a digit, not after a word character or "+"; after
#: "+" or "00" comes a digit; any other digit starts the number itself.
PHONE = re.compile(
    r"[+\d](?<![\w+].)(?:(?<=\+)\d|(?<=0)0\d|(?<=0)(?!0)|(?<=\d)(?<!0))(?:[ .\-()]{0,2}+\d){6,15}+(?!\w)"
)
#: A date that a phone pattern would otherwise take (12 06 2024).
DATE = re.compile(r"\d{1,2}[ .\-]\d{1,2}[ .\-](?:19|20)\d\d")
#: A link, with its span (Telegram and WhatsApp short links with their path:
#: the handle or number is in it). A bare domain starts only where a run of letters,
#: digits and hyphens starts (a start inside "ab-ab-ab..." would rescan the run).
URL = re.compile(
    r"\b(?:https?://|www\.|(?:t|wa)\.me/)[^\s\"'<>()\[\]]++"
    r"|\b(?<![a-z0-9\-])(?:[a-z0-9\-]{2,}+\.)?[a-z0-9\-]{2,}+\.(?:com|net|org|info|me|io|ly|link|co|uk|fr|de|it|es|al|gr|tr|pl|nl|be"
    r"|ru|ir|iq|af|pk|in|vn|tn|ma|dz|eg|ng|gh|us|ca|eu)\b"
)
#: The start of a link, for counting.
URL_MARK = re.compile(r"https?://|www\.|\.(?:com|net|org|me|io|ly|link|info)\b")
#: A handle; "@" first for a fast literal scan, then the character before it is checked.
HANDLE = re.compile(r"@(?<![\w@]@)[a-z0-9_.]{3,30}+")
#: An amount: thousands groups or plain digits, optional cents, optional k/m suffix.
#: The first digit must not follow a word character, "." or ",". At most six
#: groups (up to 10**21): an unbounded chain would be rescanned from each group.
AMOUNT = re.compile(
    r"(\d(?<![\w.,]\d)(?:\d{0,2}+(?:[.,' ]\d{3}){1,6}+|\d*+))(?:[.,](\d{1,2}))?+(?:[ ]?+(k|m)\b)?+(?!\d)"
)
#: A flag token made by the normaliser from a regional-indicator pair.
FLAG = re.compile(r"flag_([a-z]{2})\b")
