"""Remove GPS from the XMP packets of an image (JPEG APP1, WebP `XMP ` chunk, PNG iTXt), in
place and without changing the file's size: a packet is parsed (defusedxml: no entity
bombs), the exif:GPS* properties are dropped, and the shorter text is padded with spaces,
which XMP packets are made to carry. A file without such properties is not touched."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 (serialising only; parsing is defusedxml's)

from defusedxml import ElementTree as SafeET

EXIF_NS = "{http://ns.adobe.com/exif/1.0/}"
_PACKET = re.compile(rb"<x:x[am]pmeta\b.*?</x:x[am]pmeta>", re.DOTALL)
PREFIXES = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
}
for _prefix, _uri in PREFIXES.items():
    ET.register_namespace(_prefix, _uri)


class XmpNotCleaned(ValueError):
    """A packet with GPS that could not be parsed or rewritten in its own space."""


def _is_gps(name: str) -> bool:
    return name.startswith(EXIF_NS + "GPS")


def _drop_gps(root: ET.Element) -> bool:
    changed = False
    for element in root.iter():
        for name in [n for n in element.attrib if _is_gps(n)]:
            del element.attrib[name]
            changed = True
        for child in [c for c in element if isinstance(c.tag, str) and _is_gps(c.tag)]:
            element.remove(child)
            changed = True
    return changed


def packet_has_gps(packet: bytes | str) -> bool:
    try:
        root = SafeET.fromstring(packet)
    except Exception:  # unparsable XMP: no viewer reads a location from it either
        return False
    return any(
        _is_gps(element.tag) or any(_is_gps(n) for n in element.attrib)
        for element in root.iter()
        if isinstance(element.tag, str)
    )


def scrub_xmp_gps(buf: bytearray) -> bool:
    """Drop the GPS properties of every XMP packet in buf, in place; True when any went."""
    changed = False
    for match in list(_PACKET.finditer(bytes(buf))):
        old = match.group()
        if not packet_has_gps(old):
            continue
        root = SafeET.fromstring(old)
        _drop_gps(root)
        new = ET.tostring(root, encoding="utf-8", xml_declaration=False)
        if len(new) > len(old):
            raise XmpNotCleaned("the packet without GPS does not fit its space")
        buf[match.start() : match.end()] = new + b" " * (len(old) - len(new))
        changed = True
    return changed
