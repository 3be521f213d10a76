"""posts.images: what we accept, what we strip, and the platforms' limits.

Every image is built here with Pillow (or by hand, for the decompression bombs);
no binary fixtures.
"""

from __future__ import annotations

import os
import struct
import zlib
from io import BytesIO

import pytest
from django.utils import translation
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from accounts.platforms import capabilities_for
from posts.images import (
    ALT_TEXT_MAX_CHARS,
    CleanImage,
    ImageRejected,
    check_alt_text,
    check_platform_limits,
    clean_image,
)

MAKE = "SecretCam Maker"
MODEL = "SecretCam Model 9"


# --- builders -----------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def picture(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    """A picture with some structure, so that lossy encoders have something to keep."""
    gradient = Image.linear_gradient("L").resize(size)
    if mode == "L":
        return gradient
    return Image.merge("RGB", (gradient, gradient.rotate(90), Image.new("L", size, 90))).convert(mode)


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = MAKE  # Make
    exif[0x0110] = MODEL  # Model
    exif[0x8825] = {  # GPSInfo IFD: the Tokyo Immigration Bureau, roughly
        1: "N",
        2: (35.0, 37.0, 49.5),
        3: "E",
        4: (139.0, 45.0, 2.3),
    }
    return exif


def open_result(result: CleanImage) -> Image.Image:
    return Image.open(BytesIO(result.data))


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """The pixel's bands (getpixel's type also allows a single number or None, which these RGB(A) images never give)."""
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def frame_count(image: Image.Image) -> int:
    """How many frames an animated image has (Pillow sets n_frames only on formats that have frames)."""
    return getattr(image, "n_frames", 1)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG of any size, written row by row so it never exists in memory."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def webp_chunks(data: bytes) -> set[bytes]:
    kinds, position = set(), 12
    while position + 8 <= len(data):
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        kinds.add(data[position : position + 4])
        position += 8 + size + (size & 1)
    return kinds


def rejected(data: bytes, **kwargs: str) -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        clean_image(data, **kwargs)
    assert info.value.message  # every rejection explains itself
    return info.value


@pytest.fixture(autouse=True)
def english():
    # The site's default language is Japanese; the assertions below read the English source strings.
    with translation.override("en"):
        yield


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any pixel data gets decoded."""

    def load(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# --- metadata is stripped -----------------------------------------------------------------


def test_jpeg_loses_exif_gps_xmp_and_comment_and_keeps_its_size():
    source = encode(
        picture(), "JPEG", exif=gps_exif(), comment=b"taken at home", xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>"
    )
    # The fixture really carries what we want removed.
    assert MAKE.encode() in source and b"taken at home" in source and b"secret xmp" in source
    assert Image.open(BytesIO(source)).getexif().get_ifd(0x8825)[2] == (35.0, 37.0, 49.5)

    result = clean_image(source, filename="photo.jpg")

    assert (result.mime_type, result.extension) == ("image/jpeg", "jpg")
    assert (result.width, result.height, result.size) == (640, 480, len(result.data))
    image = open_result(result)
    assert image.format == "JPEG" and image.size == (640, 480)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    for secret in (b"Exif\x00\x00", b"GPS", MAKE.encode(), MODEL.encode(), b"taken at home", b"secret xmp"):
        assert secret not in result.data


def test_exif_orientation_is_applied_before_exif_is_dropped():
    # Stored landscape, left half red; orientation 6 means "rotate 90° clockwise to view".
    stored = Image.new("RGB", (60, 40), "blue")
    stored.paste((255, 0, 0), (0, 0, 30, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    result = clean_image(encode(stored, "JPEG", exif=exif, quality=95))

    assert (result.width, result.height) == (40, 60)
    image = open_result(result).convert("RGB")
    assert image.size == (40, 60)
    assert 0x0112 not in image.getexif()
    red, _green, blue = pixel(image, (20, 5))  # the stored left half is now on top
    assert red > 200 and blue < 60
    red, _green, blue = pixel(image, (20, 55))
    assert blue > 200 and red < 60


def test_png_loses_text_chunks_exif_and_xmp():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret tEXt")
    info.add_text("Author", "secret zTXt", zip=True)
    info.add_itxt("Description", "secret iTXt 入管")
    source = encode(picture(), "PNG", pnginfo=info, exif=gps_exif())
    assert b"secret tEXt" in source and MAKE.encode() in source

    result = clean_image(source)

    assert (result.mime_type, result.extension) == ("image/png", "png")
    image = open_result(result)
    assert image.format == "PNG" and image.size == (640, 480)
    assert not getattr(image, "text", {}) and len(image.getexif()) == 0
    for secret in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"secret", MAKE.encode()):
        assert secret not in result.data
    # Lossless: the pixels are the same.
    assert image.convert("RGB").tobytes() == Image.open(BytesIO(source)).convert("RGB").tobytes()


def test_palette_png_keeps_its_transparency():
    image = Image.new("P", (16, 16), 0)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 8, 16))
    result = open_result(clean_image(encode(image, "PNG", transparency=0))).convert("RGBA")
    assert pixel(result, (2, 2)) == (200, 0, 0, 255)
    assert pixel(result, (12, 2))[3] == 0


def test_animated_gif_keeps_frames_durations_and_loop_but_not_its_comment():
    colours = ["red", "green", "blue", "yellow"]
    frames = [Image.new("RGB", (48, 32), colour) for colour in colours]
    source = encode(
        frames[0],
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[100, 200, 300, 400],
        loop=0,
        comment=b"secret gif comment",
    )
    assert b"secret gif comment" in source

    result = clean_image(source, filename="anim.gif")

    assert (result.mime_type, result.extension, result.width, result.height) == ("image/gif", "gif", 48, 32)
    assert b"secret gif comment" not in result.data
    image = open_result(result)
    assert image.format == "GIF" and frame_count(image) == 4 and image.info.get("loop") == 0
    durations, pixels = [], []
    for index in range(frame_count(image)):
        image.seek(index)
        assert "comment" not in image.info
        durations.append(image.info["duration"])
        pixels.append(pixel(image.convert("RGB"), (10, 10)))
    assert durations == [100, 200, 300, 400]
    assert pixels == [(255, 0, 0), (0, 128, 0), (0, 0, 255), (255, 255, 0)]


def test_transparent_animated_gif_clears_between_frames():
    # A block moving right over a transparent background: where it was must be
    # transparent again in the next frame, not a trail.
    frames = []
    for index in range(3):
        frame = Image.new("RGBA", (30, 10), (0, 0, 0, 0))
        frame.paste((255, 0, 0, 255), (index * 10, 0, index * 10 + 10, 10))
        frames.append(frame)
    source = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, disposal=2)

    image = open_result(clean_image(source))

    assert frame_count(image) == 3
    for index in range(3):
        image.seek(index)
        alpha = [pixel(image.convert("RGBA"), (x, 5))[3] for x in (5, 15, 25)]
        assert alpha == [255 if block == index else 0 for block in range(3)]


def test_still_gif_keeps_its_transparency():
    image = Image.new("P", (16, 16), 0)
    image.putpalette([255, 255, 255, 0, 0, 200] + [0] * 762)
    image.paste(1, (0, 0, 8, 16))
    result = clean_image(encode(image, "GIF", transparency=0, comment=b"secret"))
    assert b"secret" not in result.data
    pixels = open_result(result).convert("RGBA")
    assert pixel(pixels, (2, 2)) == (0, 0, 200, 255) and pixel(pixels, (12, 2))[3] == 0


def test_gif_without_loop_count_still_plays_once():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    image = open_result(clean_image(encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)))
    assert frame_count(image) == 2 and "loop" not in image.info


def test_lossy_webp_is_accepted_and_stays_lossy_without_exif():
    source = encode(picture(), "WEBP", quality=80, exif=gps_exif(), xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>")
    assert MAKE.encode() in source

    result = clean_image(source)

    assert (result.mime_type, result.extension, result.width, result.height) == ("image/webp", "webp", 640, 480)
    assert b"VP8 " in webp_chunks(result.data)
    assert not {b"EXIF", b"XMP "} & webp_chunks(result.data)
    assert MAKE.encode() not in result.data and b"secret xmp" not in result.data
    assert open_result(result).format == "WEBP"


def test_lossless_webp_stays_lossless():
    source = encode(picture((120, 80), "RGBA"), "WEBP", lossless=True)
    result = clean_image(source)
    assert b"VP8L" in webp_chunks(result.data) and b"VP8 " not in webp_chunks(result.data)
    assert open_result(result).tobytes() == Image.open(BytesIO(source)).tobytes()


def test_animated_webp_keeps_its_frames():
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    source = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=[80, 160, 240], loop=2)
    image = open_result(clean_image(source))
    assert frame_count(image) == 3 and image.info["loop"] == 2
    durations = []
    for index in range(3):
        image.seek(index)
        image.load()  # Pillow's WebP reader sets the duration when it decodes the frame
        durations.append(image.info["duration"])
    assert durations == [80, 160, 240]


def test_animated_png_keeps_its_frames():
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    source = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0)
    image = open_result(clean_image(source))
    assert image.format == "PNG" and frame_count(image) == 3


# --- the format is decided by the bytes -----------------------------------------------------


@pytest.mark.parametrize("mode", ["1", "L", "LA", "I;16", "P", "RGBA"])
def test_png_modes_survive(mode: str):
    source = Image.new(mode, (12, 8))
    assert open_result(clean_image(encode(source, "PNG"))).mode == mode


def test_a_png_named_jpg_is_accepted_as_png():
    result = clean_image(encode(picture((32, 32)), "PNG"), filename="photo.jpg")
    assert (result.mime_type, result.extension) == ("image/png", "png")


def test_a_phone_mpo_comes_back_as_a_plain_jpeg():
    primary, depth = picture((64, 48)), Image.new("RGB", (64, 48), "black")
    source = encode(primary, "MPO", save_all=True, append_images=[depth], exif=gps_exif())
    assert Image.open(BytesIO(source)).format == "MPO"

    result = clean_image(source)

    assert (result.mime_type, result.width, result.height) == ("image/jpeg", 64, 48)
    image = open_result(result)
    assert image.format == "JPEG" and "mp" not in image.info and MAKE.encode() not in result.data


def test_grayscale_jpeg_stays_grayscale():
    result = clean_image(encode(picture((40, 30), "L"), "JPEG"))
    assert open_result(result).mode == "L"


def test_the_icc_profile_is_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = clean_image(encode(picture((40, 30)), "JPEG", icc_profile=profile))
    assert open_result(result).info.get("icc_profile") == profile


def test_a_malformed_icc_profile_is_dropped():
    result = clean_image(encode(picture((40, 30)), "JPEG", icc_profile=b"not a profile " * 20))
    assert "icc_profile" not in open_result(result).info


def test_cmyk_jpeg_becomes_rgb():
    result = clean_image(encode(Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG"))
    image = open_result(result)
    assert image.mode == "RGB"
    red, green, blue = pixel(image, (20, 15))
    assert red > 200 and green < 60 and blue < 60


# --- rejections -------------------------------------------------------------------------------


def test_empty_file_is_not_an_image():
    assert rejected(b"").code == "not_an_image"


def test_messages_are_translated():
    english = rejected(b"").message
    with translation.override("ja"):
        japanese = rejected(b"").message
    assert english == "The file is empty." and japanese != english


def test_text_file_renamed_png_is_not_an_image():
    error = rejected("在留カードの更新について\n".encode() * 50, filename="notice.png")
    assert error.code == "not_an_image"
    assert "notice.png" in error.message


def test_truncated_jpeg_cannot_be_decoded():
    noise = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    source = encode(noise, "JPEG")
    assert rejected(source[: len(source) // 2]).code == "decode_failed"


def test_jpeg_cut_inside_its_header_cannot_be_decoded():
    assert rejected(encode(picture((32, 32)), "JPEG")[:40]).code == "decode_failed"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("BMP", "BMP"), ("TIFF", "TIFF")],
)
def test_other_raster_formats_are_unsupported(fmt: str, name: str):
    error = rejected(encode(picture((32, 32)), fmt), filename=f"image.{fmt.lower()}")
    assert error.code == "unsupported_format"
    assert name in error.message and "JPEG, PNG, GIF or WebP" in error.message


def test_svg_is_unsupported():
    svg = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<rect width="10" height="10" fill="red"/></svg>'
    )
    error = rejected(svg, filename="logo.png")
    assert error.code == "unsupported_format" and "SVG" in error.message


def test_pdf_is_unsupported():
    error = rejected(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert error.code == "unsupported_format" and "PDF" in error.message


def test_heic_is_unsupported_with_advice():
    heic_header = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    error = rejected(heic_header, filename="IMG_0001.HEIC")
    assert error.code == "unsupported_format" and "HEIC" in error.message and "JPEG" in error.message


def test_the_no_decoding_fixture_really_blocks_decoding(no_decoding: None):
    assert rejected(encode(picture((8, 8)), "PNG")).code == "decode_failed"


def test_decompression_bomb_is_refused_before_decoding(no_decoding: None):
    bomb = bilevel_png(20_000, 20_000)  # 400 megapixels in ~50 kB
    assert len(bomb) < 200_000
    assert rejected(bomb).code == "too_many_pixels"


def test_images_over_our_own_pixel_limit_are_refused_before_decoding(no_decoding: None):
    # 48 megapixels: below Pillow's default bomb threshold (~89 MP), above ours (40 MP).
    big = bilevel_png(8_000, 6_000)
    assert Image.MAX_IMAGE_PIXELS is not None and 8_000 * 6_000 < Image.MAX_IMAGE_PIXELS
    error = rejected(big)
    assert error.code == "too_many_pixels" and "8000 × 6000" in error.message


def test_long_large_animations_are_refused_before_decoding(no_decoding: None):
    frames = []
    for index in range(14):  # 14 frames × 4 megapixels = 56 MP
        frame = Image.new("P", (2_000, 2_000), 0)
        frame.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
        frame.putpixel((index, 0), 1)  # frames must differ, or the GIF writer merges them
        frames.append(frame)
    source = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    del frames
    assert rejected(source).code == "too_many_pixels"


def test_animations_with_too_many_frames_are_refused(no_decoding: None):
    black, white = Image.new("L", (1, 1), 0), Image.new("L", (1, 1), 255)
    frames = [white if index % 2 else black for index in range(1001)]
    assert rejected(encode(frames[0], "GIF", save_all=True, append_images=frames[1:])).code == "too_many_pixels"


def test_oversized_upload_is_refused_without_decoding(no_decoding: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("posts.images.MAX_UPLOAD_BYTES", 1000)
    assert rejected(encode(picture((64, 64)), "PNG", compress_level=0)).code == "too_large"


# --- platform limits --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> CleanImage:
    return clean_image(encode(picture((32, 32)), "JPEG"))


def test_limits_are_the_platforms_own():
    x, facebook = capabilities_for("x").images, capabilities_for("facebook").images
    assert (x.max_count, x.max_bytes) == (4, 5 * 1024 * 1024)
    assert (facebook.max_count, facebook.max_bytes) == (10, 10 * 1024 * 1024)


def test_five_images_are_too_many_for_x_but_fine_for_facebook(small: CleanImage):
    check_platform_limits([small] * 4, ["x"])
    check_platform_limits([small] * 5, ["facebook"])
    check_platform_limits([small] * 10, ["facebook"])
    with pytest.raises(ImageRejected) as info:
        check_platform_limits([small] * 5, ["facebook", "x"])
    assert info.value.code == "too_many"
    assert "X" in info.value.message and "4" in info.value.message and "5" in info.value.message
    with pytest.raises(ImageRejected) as info:
        check_platform_limits([small] * 11, ["facebook"])
    assert info.value.code == "too_many" and "Facebook" in info.value.message


def test_no_platform_means_no_limit(small: CleanImage):
    check_platform_limits([small] * 20, [])


def test_unknown_platform_is_a_programming_error(small: CleanImage):
    with pytest.raises(ValueError, match="Unknown platform 'instagram'") as info:
        check_platform_limits([small], ["instagram"])
    assert not isinstance(info.value, ImageRejected)


def test_an_image_over_5_mb_after_cleaning_is_refused_for_x_only():
    # Noise does not compress: a 1400 × 1300 RGB PNG stays about 5.5 MB.
    noise = Image.frombytes("RGB", (1400, 1300), os.urandom(1400 * 1300 * 3))
    big = clean_image(encode(noise, "PNG"))
    assert 5 * 1024 * 1024 < big.size <= 10 * 1024 * 1024

    check_platform_limits([big], ["facebook"])
    with pytest.raises(ImageRejected) as info:
        check_platform_limits([big], ["x", "facebook"])
    assert info.value.code == "too_large"
    assert "X" in info.value.message and "5 MB" in info.value.message and "Image 1" in info.value.message


def test_size_limits_apply_to_the_cleaned_bytes():
    # Over 5 MB as uploaded, but nearly all of it is PNG text chunks that cleaning removes.
    info = PngImagePlugin.PngInfo()
    for index in range(12):
        info.add_text(f"Note{index}", "x" * 500_000)
    source = encode(picture((64, 64)), "PNG", pnginfo=info)
    assert len(source) > 5 * 1024 * 1024

    result = clean_image(source)

    assert result.size < 100_000
    check_platform_limits([result], ["x"])


# --- alt text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u3000\u3000"])
def test_empty_alt_text_is_refused(text: str):
    with pytest.raises(ImageRejected) as info:
        check_alt_text(text)
    assert info.value.code == "alt_text_missing" and info.value.message


def test_alt_text_longer_than_x_allows_is_refused():
    assert ALT_TEXT_MAX_CHARS == 1000
    assert check_alt_text("あ" * 1000) == "あ" * 1000
    with pytest.raises(ImageRejected) as info:
        check_alt_text("あ" * 1001)
    assert info.value.code == "alt_text_too_long" and "1001" in info.value.message


def test_japanese_alt_text_is_accepted_and_stripped():
    text = "  出入国在留管理庁のロゴと、在留カードの見本（表面）。\n"
    assert check_alt_text(text) == "出入国在留管理庁のロゴと、在留カードの見本（表面）。"


def test_decomposed_kana_count_once():
    decomposed = "か\u3099" * 1000  # が written as か + combining dakuten, as macOS may paste it
    assert check_alt_text(decomposed) == "が" * 1000


def test_clean_image_repr_leaves_out_the_bytes(small: CleanImage):
    assert "data" not in repr(small) and "image/jpeg" in repr(small)
