"""Full-face photographs and comparable images (Safe Harbor (Q)) as text refers to them.

An image file name (``photo_2021_03.jpg``, ``IMG_4821.HEIC``) or a named facial photograph
("facial photograph", "full-face photo"). Image columns in tables are classified by type and name.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

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
    ),
    context=("photo", "photograph", "picture", "image", "attached", "uploaded", "selfie", "face"),
)
