"""Full-face photographs and comparable images (Safe Harbor (Q)) as text refers to them.

An image file name (``photo_2021_03.jpg``, ``IMG_4821.HEIC``), a named facial photograph
("facial photograph", "full-face photo"), or a photograph of the patient taken or kept for the record
("Pt photo taken for chart", "photograph of patient obtained", "picture in chart", "patient
photographed"). Photographs of a wound, a lesion or a rash are not of the face and are left alone,
as are radiology images and photo IDs. Image columns in tables are classified by type and name.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

# What a photograph shows when it is not the person: "wound photo taken" is no identifier.
_NOT_OF_PERSON = (
    "wound",
    "skin",
    "lesion",
    "rash",
    "ulcer",
    "incision",
    "site",
    "burn",
    "mole",
    "scar",
    "tattoo",
    "xray",
    "x-ray",
    "no",
    "not",
    "ekg",
    "ecg",
    "food",
    "meal",
    "pill",
    "label",
    "bottle",
    "document",
)
# Each lookbehind spans the word, a space and the first letter of the photograph word.
_NOT_AFTER = "".join(f"(?<!(?i:{word})[ ][Pp])" for word in _NOT_OF_PERSON)
_PHOTO_NOUN = r"(?i:hoto(?:graph)?s?|ictures?|ics?)"  # after its first letter, P or p
# Who is in it: "of patient", "of the pt", "of her face".
_OF_PERSON = r"(?:[ ]+(?i:of)[ ]+(?i:the[ ]+)?(?i:patient|pt|him|her|them|face|resident|client))?"
# What happened to it: taken, obtained, uploaded, attached, placed/kept in the chart or on file.
_TAKEN = (
    r"[ ]+(?i:(?:was|were|has[ ]been|have[ ]been|is|are)[ ]+)?"
    r"(?i:taken|obtained|uploaded|attached|scanned|placed|added|updated|captured|on[ ]file"
    r"|in[ ](?:the[ ])?(?:chart|record|emr|ehr|file|media))(?![\w-])"
)

PHOTO = Recognizer(
    name="photo",
    kind=IdentifierKind.PHOTO,
    patterns=(
        Pattern(
            "image_file",
            token_start(r"[A-Za-z0-9]", r"[\w./-]")
            + r"[\w-]{0,60}(?:\.[\w-]{1,30}){0,3}\.(?i:jpe?g|png|heic|heif|gif|bmp|tiff?|webp|dcm|raw|cr2|nef)"
            r"(?![\w.])",
            0.6,
            keywords=(".jp", ".png", ".hei", ".gif", ".bmp", ".tif", ".webp", ".dcm", ".raw", ".cr2", ".nef"),
        ),
        Pattern(
            "face_photo",
            r"(?<![\w-])(?i:(?:full[ -]face|facial|face|headshot|mug[ ]?shot|passport[ -]style)"
            r"[ ]+(?:photo(?:graph)?s?|images?|pictures?|pics?|portraits?)|head[ ]?shots?|mug[ ]?shots?)(?![\w-])",
            0.6,
            keywords=("photo", "image", "picture", "pic", "portrait", "shot"),
        ),
        Pattern(
            "photo_of_patient",
            token_start("[Pp]", r"[\w-]")
            + _NOT_AFTER
            + r"(?:"
            + _PHOTO_NOUN
            + _OF_PERSON
            + _TAKEN
            + r"|(?i:atient|t)[ ]+(?:(?i:was)[ ]+)?(?i:photographed)(?![\w-]))",
            0.55,
            keywords=("photo", "picture", "pic"),
        ),
    ),
    context=("photo", "photograph", "picture", "image", "attached", "uploaded", "selfie", "face"),
)
