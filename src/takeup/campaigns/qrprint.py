"""QR codes for print: a PNG at 300 dpi with the short address printed under the code, so people
who cannot scan can type it. Pure: no Django."""

import io

import segno
from PIL import Image, ImageDraw, ImageFont

DPI = 300
WIDTH_PX = 600  # about 5 cm at 300 dpi: scans from a poster at arm's length


def png_with_caption(qr: segno.QRCode, caption: str) -> bytes:
    modules, _ = qr.symbol_size(scale=1, border=4)
    scale = max(4, WIDTH_PX // modules)
    code = io.BytesIO()
    qr.save(code, kind="png", scale=scale, border=4, dark="black", light="white")
    image = Image.open(io.BytesIO(code.getvalue())).convert("L")
    font_size = max(18, image.width // 18)
    font = ImageFont.load_default(size=font_size)
    band = font_size * 2
    page = Image.new("L", (image.width, image.height + band), 255)
    page.paste(image, (0, 0))
    draw = ImageDraw.Draw(page)
    text_width = draw.textlength(caption, font=font)
    while text_width > image.width - 20 and font_size > 10:  # long addresses shrink to fit
        font_size -= 2
        font = ImageFont.load_default(size=font_size)
        text_width = draw.textlength(caption, font=font)
    draw.text(
        ((image.width - text_width) / 2, image.height - band // 4), caption, font=font, fill=0
    )
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()
