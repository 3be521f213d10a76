"""Checking and cleaning the images attached to a post.

``clean_image(data)`` decides what an upload is by decoding it with Pillow (never by
its name or extension), accepts JPEG, PNG, GIF and WebP only, refuses images with
too many pixels before decoding them, and returns a re-encoded copy that carries
the pixels and nothing else:

* no EXIF (GPS position, camera make, model and serial number, time taken), XMP,
  IPTC, JPEG/GIF comments, PNG text chunks, MPO side images or trailing bytes
  survive, because the output is encoded from a fresh copy of the pixels and only
  the settings passed below reach the encoder;
* the EXIF orientation is applied to the pixels first, so a phone photo does not
  turn sideways once its EXIF is gone;
* the ICC colour profile is kept when it fits the output (see ``_usable_icc``):
  it describes how to show the pixels, not who took them or where, and dropping
  it would make Display P3 or Adobe RGB photos look dull or off-colour, since
  without a profile viewers assume sRGB;
* animations (GIF, animated PNG, animated WebP) keep every frame, its duration and
  the loop count; GIF comments and application extensions are dropped;
* a WebP stays lossless when every bitstream in the source was lossless (VP8L);
  otherwise it is re-encoded lossy at quality 90.

Platform limits (how many images, how many bytes) are the adapters' to state
(``accounts.platforms.capabilities_for``); ``check_platform_limits`` asks them
and checks the *cleaned* images, since those are what we upload. The limits
below are the console's own, the same whatever the platform: what it is willing
to decode and how.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Protocol, TypeVar

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.platforms.capabilities import ALL as ALL_PLATFORMS
from accounts.platforms.capabilities import capabilities_for

T = TypeVar("T")

MB = 1024 * 1024

# Largest upload we try to decode at all. Phone and camera photos stay well
# below this; anything bigger would only cost memory and CPU before failing the
# platform limits anyway.
MAX_UPLOAD_BYTES = 50 * MB

# Pixels per image (or per animation frame). 40 megapixels covers any phone or
# camera photo; a decoded RGB image of this size already takes about 120 MB. It is
# below Pillow's own warning threshold (Image.MAX_IMAGE_PIXELS, ~89 MP), so the
# limit holds whatever that global is set to.
MAX_PIXELS = 40_000_000

# Pixels over all frames of an animation: every frame is decoded and held in
# memory (RGBA, 4 bytes a pixel) while the animation is re-encoded.
MAX_ANIMATION_PIXELS = 50_000_000

# Frames per animation: tiny frames pass the pixel budget, but each one still
# costs Python objects and encoder work. Far above what X or Facebook show.
MAX_FRAMES = 1000

# An ICC profile larger than this is dropped: display profiles (sRGB, Display P3,
# Adobe RGB) take a few kilobytes, and a big blob could carry anything.
MAX_ICC_BYTES = 256 * 1024

# The strictest platform's limit on an image description ("alt text"): an image is
# described once, before anyone knows where it will go (X's 1000; Facebook documents none).
ALT_TEXT_MAX_CHARS = min(c.images.alt_text_max_chars for c in ALL_PLATFORMS if c.images.alt_text_max_chars)

# Pillow plugins we let parse an upload. Opening with "JPEG" can also yield "MPO"
# (multi-picture JPEG), which is what many ordinary phone photos are: we keep
# the primary image and write a plain JPEG.
_ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
_ANIMATED_FORMATS = ("PNG", "GIF", "WEBP")

_OUTPUT = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}

JPEG_QUALITY = 90
WEBP_QUALITY = 90


class ImageRejected(ValueError):
    """An image we will not post. ``message`` is for the user (translated), ``code`` for code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


@dataclass(frozen=True)
class CleanImage:
    # Images can be megabytes; keep them out of reprs, logs and tracebacks.
    data: bytes = field(repr=False)
    mime_type: str  # "image/jpeg", "image/png", "image/gif" or "image/webp"
    extension: str  # without the dot, for file names: "jpg", "png", "gif" or "webp"
    width: int
    height: int
    size: int  # len(data), in bytes


# --- public API ------------------------------------------------------------------------------


def clean_image(data: bytes, *, filename: str = "") -> CleanImage:
    """Decode ``data``, reject what we cannot post, and return a metadata-free copy.

    ``filename`` is only used to name the file in error messages; it never decides
    the format. Raises ImageRejected.
    """
    try:
        return _clean(data)
    except ImageRejected as rejected:
        if not filename:
            raise
        # Staff often upload several images at once; say which one failed.
        message = _("“%(filename)s”: %(problem)s") % {"filename": filename, "problem": rejected.message}
        raise ImageRejected(message, rejected.code) from None


class SizedImage(Protocol):
    """What the platforms' limits read of an image: a CleanImage, or a stored PostImage."""

    @property
    def size(self) -> int: ...  # bytes, after cleaning


def check_platform_limits(images: Sequence[SizedImage], platforms: Iterable[str]) -> None:
    """Raise ImageRejected if the cleaned ``images`` cannot go out on one of ``platforms``."""
    for platform in dict.fromkeys(platforms):  # de-duplicated, in the caller's order
        # An unknown platform is a programming error, not a user's mistake: ValueError, not ImageRejected.
        capabilities = capabilities_for(platform)
        limits, label = capabilities.images, capabilities.label
        if len(images) > limits.max_count:
            raise ImageRejected(
                _("%(platform)s accepts at most %(limit)d images in one post; this post has %(count)d.")
                % {"platform": label, "limit": limits.max_count, "count": len(images)},
                "too_many",
            )
        for number, image in enumerate(images, start=1):
            if image.size > limits.max_bytes:
                raise ImageRejected(
                    _(
                        "Image %(number)d is %(size)s after cleaning, but %(platform)s accepts "
                        "images of at most %(limit)s. Make it smaller, or save a photo as JPEG."
                    )
                    % {
                        "number": number,
                        "size": _megabytes(image.size, round_up=True),
                        "platform": label,
                        "limit": _megabytes(limits.max_bytes),
                    },
                    "too_large",
                )


def check_alt_text(alt_text: str) -> str:
    """Return the alt text stripped and NFC-normalised; reject it when empty or too long.

    NFC because text pasted from macOS can come decomposed (が as か + ゛), which
    would count twice; X normalises to NFC too. Ideographic spaces (U+3000) are
    whitespace for str.strip, so "　" alone counts as empty.
    """
    text = unicodedata.normalize("NFC", alt_text).strip()
    if not text:
        raise ImageRejected(
            _("Enter alternative text that describes the image for people who use screen readers."),
            "alt_text_missing",
        )
    if len(text) > ALT_TEXT_MAX_CHARS:
        raise ImageRejected(
            _("The alternative text is %(count)d characters long; X accepts at most %(limit)d.")
            % {"count": len(text), "limit": ALT_TEXT_MAX_CHARS},
            "alt_text_too_long",
        )
    return text


# --- decoding --------------------------------------------------------------------------------


def _clean(data: bytes) -> CleanImage:
    if not data:
        raise ImageRejected(_("The file is empty."), "not_an_image")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejected(
            _("The file is %(size)s; files of at most %(limit)s can be uploaded.")
            % {"size": _megabytes(len(data), round_up=True), "limit": _megabytes(MAX_UPLOAD_BYTES)},
            "too_large",
        )

    # First pass: identify and verify (PNG checks its CRCs here) without decoding pixels.
    fmt = _guarded(lambda: _verify(data), data)
    # Second pass: verify() leaves the image unusable, so reopen and decode.
    frames, durations, loop, icc = _guarded(lambda: _decode(data, fmt), data)

    mime_type, extension = _OUTPUT[fmt]
    encoded = _encode(fmt, frames, durations, loop, icc, lossless=fmt == "WEBP" and _webp_is_lossless(data))
    width, height = frames[0].size
    return CleanImage(
        data=encoded, mime_type=mime_type, extension=extension, width=width, height=height, size=len(encoded)
    )


def _guarded(step: Callable[[], T], data: bytes) -> T:
    """Run a decoding step, turning Pillow's many failure modes into ImageRejected."""
    try:
        return step()
    except ImageRejected:
        raise
    except UnidentifiedImageError:
        raise _unidentified(data) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own check in Image.open (the warning only arrives as an exception
        # when warnings are errors). Either way we never got to decode the pixels.
        raise ImageRejected(
            _(
                "The image has too many pixels to be processed safely; images of at most "
                "%(limit)d megapixels are accepted."
            )
            % {"limit": MAX_PIXELS // 1_000_000},
            "too_many_pixels",
        ) from None
    except Exception:
        # A damaged file can fail in almost any way inside a decoder (OSError for a
        # truncated JPEG, SyntaxError, struct.error, ValueError, EOFError, ...).
        raise _decode_failed() from None


def _verify(data: bytes) -> str:
    with Image.open(BytesIO(data), formats=_ACCEPTED_FORMATS) as probe:
        _check_pixels(*probe.size)
        fmt = probe.format or ""
        probe.verify()
    if fmt not in _OUTPUT:  # defensive: the formats= list should make this impossible
        raise _unidentified(data)
    return fmt


def _decode(data: bytes, fmt: str) -> tuple[list[Image.Image], list[int], int | None, bytes | None]:
    """Decode into fresh frames (pixels plus transparency only), durations, loop count and ICC."""
    with Image.open(BytesIO(data), formats=_ACCEPTED_FORMATS) as image:
        if image.format != fmt:
            raise _decode_failed()
        _check_pixels(*image.size)
        icc = image.info.get("icc_profile") or None
        loop = image.info.get("loop")
        frame_count = getattr(image, "n_frames", 1) if fmt in _ANIMATED_FORMATS else 1
        if frame_count <= 1:
            # Stills, and the primary image of an MPO file.
            image.load()
            return [_fresh(image)], [], None, icc

        width, height = image.size
        if frame_count > MAX_FRAMES or frame_count * width * height > MAX_ANIMATION_PIXELS:
            raise _too_many_frames(frame_count, width, height)
        frames: list[Image.Image] = []
        durations: list[int] = []
        total_pixels = 0
        for index in range(frame_count):
            image.seek(index)
            # A GIF frame may enlarge the canvas, so check again before decoding it.
            _check_pixels(*image.size)
            total_pixels += image.size[0] * image.size[1]
            if total_pixels > MAX_ANIMATION_PIXELS:
                raise _too_many_frames(frame_count, *image.size)
            image.load()
            frames.append(_fresh(image))
            durations.append(round(image.info.get("duration") or 0))
        return frames, durations, loop if isinstance(loop, int) else None, icc


def _fresh(image: Image.Image) -> Image.Image:
    """A new, upright image holding the pixels (and palette) only.

    The EXIF orientation is applied to the pixels, since the EXIF that states it
    is dropped. Pillow's encoders read some settings from ``image.info`` as well
    as from the save() arguments (JPEG comments, GIF comments and extensions, PNG
    ICC), so the copy keeps only the transparency, which belongs to the pixels.
    """
    try:
        clean = ImageOps.exif_transpose(image)  # always a new image
    except Exception:
        # Malformed EXIF should not cost the staff their photo; without a readable
        # orientation we keep the pixels as stored.
        clean = image.copy()
    clean.info = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    return clean


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageRejected(
            _(
                "The image is %(width)d × %(height)d pixels; images of at most %(limit)d megapixels "
                "are accepted. Make it smaller and upload it again."
            )
            % {"width": width, "height": height, "limit": MAX_PIXELS // 1_000_000},
            "too_many_pixels",
        )


def _too_many_frames(frames: int, width: int, height: int) -> ImageRejected:
    return ImageRejected(
        _(
            "The animation has %(frames)d frames of %(width)d × %(height)d pixels, more than can be "
            "processed safely. Make it shorter or smaller and upload it again."
        )
        % {"frames": frames, "width": width, "height": height},
        "too_many_pixels",
    )


def _decode_failed() -> ImageRejected:
    return ImageRejected(
        _(
            "The image could not be read; the file may be damaged or incomplete. "
            "Save or export it again and upload the new file."
        ),
        "decode_failed",
    )


def _unidentified(data: bytes) -> ImageRejected:
    """Pillow did not recognise an accepted format: say what the file is, if we can tell."""
    kind = _sniff(data)
    if kind in ("JPEG", "PNG", "GIF", "WebP"):
        # Right signature, but the header did not parse: a damaged file.
        return _decode_failed()
    if kind == "HEIC":
        return ImageRejected(
            _(
                "HEIC photos (the iPhone camera's default) are not accepted. Export the photo as "
                "JPEG, or set Settings › Camera › Formats to “Most Compatible”, and upload it again."
            ),
            "unsupported_format",
        )
    if kind:
        return ImageRejected(
            _("%(format)s files are not accepted. Upload a JPEG, PNG, GIF or WebP image.") % {"format": kind},
            "unsupported_format",
        )
    return ImageRejected(
        _("This file is not an image. Upload a JPEG, PNG, GIF or WebP image."),
        "not_an_image",
    )


def _sniff(data: bytes) -> str | None:
    """Name the format from its signature, for error messages only (acceptance is by decoding)."""
    head = data[:4096]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP"
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little")
        in (
            12,
            16,
            40,
            52,
            56,
            64,
            108,
            124,  # the BITMAPINFOHEADER sizes
        )
    ):
        return "BMP"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "TIFF"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"8BPS"):
        return "Photoshop (PSD)"
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return "JPEG 2000"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "JPEG XL"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "HEIC"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and b"<svg" in text:
        return "SVG"
    return None


# --- encoding --------------------------------------------------------------------------------


def _encode(
    fmt: str,
    frames: list[Image.Image],
    durations: list[int],
    loop: int | None,
    icc: bytes | None,
    *,
    lossless: bool,
) -> bytes:
    out = BytesIO()
    if fmt in ("JPEG", "MPO"):
        image, icc = _for_jpeg(frames[0], icc)
        options: dict[str, object] = {"quality": JPEG_QUALITY, "optimize": True}
        if profile := _usable_icc(icc, image.mode):
            options["icc_profile"] = profile
        image.save(out, format="JPEG", **options)
        return out.getvalue()

    if len(frames) > 1:
        # Full composited frames from Pillow; one mode for all of them so the
        # encoders need not guess, RGBA only where something is see-through.
        transparent = any(frame.has_transparency_data for frame in frames)
        for index, frame in enumerate(frames):
            # In place, so each source frame is freed as soon as it is converted.
            frames[index] = frame.convert("RGBA" if transparent else "RGB")
        first, rest = frames[0], frames[1:]
        animation: dict[str, object] = {"save_all": True, "append_images": rest, "duration": durations}
        if loop is not None:
            # A GIF without a loop count plays once; keep it that way.
            animation["loop"] = loop
    else:
        first, transparent, animation = frames[0], frames[0].has_transparency_data, {}

    if fmt == "PNG":
        if first.mode not in ("1", "L", "LA", "I;16", "P", "RGB", "RGBA"):  # what Pillow writes as PNG
            first = first.convert("RGBA" if transparent else "RGB")
        options = {"optimize": True, **animation}
        if profile := _usable_icc(icc, first.mode):
            options["icc_profile"] = profile
        first.save(out, format="PNG", **options)
    elif fmt == "GIF":
        if animation and transparent:
            # Clear each frame to transparent before drawing the next; otherwise a
            # pixel that turns transparent would keep showing the previous frame.
            animation["disposal"] = 2
        # No ICC: Pillow does not write GIF colour profiles, and GIFs are sRGB in practice.
        first.save(out, format="GIF", **animation)
    elif fmt == "WEBP":
        if first.mode not in ("RGB", "RGBA"):
            first = first.convert("RGBA" if transparent else "RGB")
        options = {"lossless": True} if lossless else {"quality": WEBP_QUALITY}
        options.update(animation)
        if profile := _usable_icc(icc, first.mode):
            options["icc_profile"] = profile
        first.save(out, format="WEBP", **options)
    else:  # pragma: no cover - _OUTPUT lists every format that gets here
        raise AssertionError(fmt)
    return out.getvalue()


def _for_jpeg(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """JPEG output is L or RGB: CMYK (print artwork) goes to sRGB through its profile if it has one."""
    if image.mode in ("L", "RGB"):
        return image, icc
    if image.mode == "CMYK" and icc is not None and _icc_colour_space(icc) == b"CMYK":
        try:
            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:
                return converted, None  # now plain sRGB, which needs no profile
        except Exception:
            # No littlecms in this Pillow build, or a broken profile: fall back to
            # Pillow's plain conversion, colours a little off but the image usable.
            pass
    return image.convert("RGB"), None


def _icc_colour_space(icc: bytes | None) -> bytes | None:
    # ICC header: 128 bytes; the data colour space at offset 16, "acsp" at offset 36.
    if not icc or len(icc) < 128 or icc[36:40] != b"acsp":
        return None
    return icc[16:20]


def _usable_icc(icc: bytes | None, mode: str) -> bytes | None:
    """The ICC profile, if it is well-formed, of modest size, and describes the colour space of ``mode``.

    A profile for another colour space (a CMYK profile on RGB output) would mislead viewers.
    """
    space = _icc_colour_space(icc)
    if icc is None or space is None:
        return None
    declared = int.from_bytes(icc[0:4], "big")
    if not 128 <= declared <= min(len(icc), MAX_ICC_BYTES):
        return None
    if (space == b"RGB " and mode in ("P", "RGB", "RGBA")) or (space == b"GRAY" and mode in ("1", "L", "LA", "I;16")):
        return icc[:declared]  # without any bytes trailing the profile
    return None


def _webp_is_lossless(data: bytes) -> bool:
    """True when every image bitstream in a WebP file is VP8L (lossless), frames included.

    Pillow does not report this, so walk the RIFF chunks: "VP8 " is lossy, "VP8L"
    lossless; an animation's ANMF chunks hold their frame's chunks after a 16-byte header.
    """
    kinds: set[bytes] = set()

    def walk(position: int, end: int, *, top: bool) -> None:
        while position + 8 <= end:
            fourcc = data[position : position + 4]
            size = int.from_bytes(data[position + 4 : position + 8], "little")
            payload = position + 8
            if fourcc == b"ANMF" and top:  # frames do not nest; a crafted file must not make us recurse
                walk(payload + 16, min(payload + size, end), top=False)
            elif fourcc in (b"VP8 ", b"VP8L"):
                kinds.add(fourcc)
            position = payload + size + (size & 1)  # chunks are padded to an even size

    walk(12, len(data), top=True)
    return kinds == {b"VP8L"}


def _megabytes(size: int, *, round_up: bool = False) -> str:
    # Round actual sizes up so that a file just over a limit never reads as equal to it.
    tenths = math.ceil(size * 10 / MB) if round_up else round(size * 10 / MB)
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"
