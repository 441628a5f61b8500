//! The canvas the screenshot is drawn on, and its PNG encoding (the `png` crate).

use super::font;

/// An RGB canvas.
#[derive(Debug, Clone)]
pub struct Canvas {
    pub width: usize,
    pub height: usize,
    pixels: Vec<u8>,
}

/// An RGB colour.
pub type Rgb = [u8; 3];

impl Canvas {
    /// A canvas filled with `bg`.
    pub fn new(width: usize, height: usize, bg: Rgb) -> Canvas {
        let pixels = bg.repeat(width).repeat(height);
        Canvas {
            width,
            height,
            pixels,
        }
    }

    /// The colour at (x, y).
    pub fn pixel(&self, x: usize, y: usize) -> Option<Rgb> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y * self.width + x) * 3;
        Some([self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]])
    }

    fn clip(&self, x0: i32, y0: i32, x1: i32, y1: i32) -> (usize, usize, usize, usize) {
        let cx = |v: i32| v.clamp(0, self.width as i32) as usize;
        let cy = |v: i32| v.clamp(0, self.height as i32) as usize;
        (cx(x0), cy(y0), cx(x1), cy(y1))
    }

    /// Fills a rectangle `[x0,x1) × [y0,y1)` (clipped).
    pub fn fill(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, c: Rgb) {
        let (x0, y0, x1, y1) = self.clip(x0, y0, x1, y1);
        if x1 <= x0 {
            return;
        }
        let pattern = c.repeat(x1 - x0);
        for y in y0..y1 {
            let start = (y * self.width + x0) * 3;
            self.pixels[start..start + pattern.len()].copy_from_slice(&pattern);
        }
    }

    /// Darkens a rectangle by `alpha`/255 towards black (a dialog's dim layer).
    pub fn dim(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, alpha: u8) {
        let (x0, y0, x1, y1) = self.clip(x0, y0, x1, y1);
        let keep = 255 - u32::from(alpha);
        let mut lut = [0u8; 256];
        for (v, out) in lut.iter_mut().enumerate() {
            *out = ((v as u32 * keep) / 255) as u8;
        }
        for y in y0..y1 {
            let start = (y * self.width + x0) * 3;
            let end = (y * self.width + x1) * 3;
            for b in &mut self.pixels[start..end] {
                *b = lut[usize::from(*b)];
            }
        }
    }

    /// A 1-pixel-scaled outline of `w` pixels.
    pub fn outline(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, w: i32, c: Rgb) {
        self.fill(x0, y0, x1, y0 + w, c);
        self.fill(x0, y1 - w, x1, y1, c);
        self.fill(x0, y0, x0 + w, y1, c);
        self.fill(x1 - w, y0, x1, y1, c);
    }

    /// Blends `c` over the pixel at (x, y) with coverage `alpha`/255 (ignored off canvas).
    fn blend(&mut self, x: i32, y: i32, c: Rgb, alpha: u32) {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return;
        }
        let i = (y as usize * self.width + x as usize) * 3;
        let a = alpha.min(255);
        for (k, ck) in c.iter().enumerate() {
            let bg = u32::from(self.pixels[i + k]);
            self.pixels[i + k] = ((bg * (255 - a) + u32::from(*ck) * a) / 255) as u8;
        }
    }

    /// Draws one character cell at (x, y) with a glyph scale and returns the advance in
    /// pixels. ASCII comes from the 5×9 font; CJK from the embedded table, scaled to a square
    /// of `10 × scale` pixels (one glyph scale above the ASCII cap line to its descender line)
    /// with 4×4 supersampling; any other visible character is drawn as a box with a `?` in it,
    /// and logged once, so a missing glyph is never mistaken for an empty box in a report.
    pub fn draw_char(&mut self, x: i32, y: i32, ch: char, scale: i32, c: Rgb) -> i32 {
        let ch = font::ascii_fallback(ch);
        let adv = char_advance(ch, scale);
        if let Some(rows) = font::glyph(ch) {
            for (r, bits) in rows.iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        let px = x + col * scale;
                        let py = y + r as i32 * scale;
                        self.fill(px, py, px + scale, py + scale, c);
                    }
                }
            }
        } else if let Some(g) = font::cjk_glyph(ch) {
            let side = (10 * scale).max(1);
            let (x0, y0) = (x + scale / 2, y - scale);
            // sub-sample k of target pixel t lands on source pixel
            // floor(((4t + k) * 2 + 1) * EM / (8 * side))
            let em = font::CJK_EM as i64;
            let src = |t: i32, k: i32| -> usize {
                (((i64::from(t) * 4 + i64::from(k)) * 2 + 1) * em / (8 * i64::from(side))) as usize
            };
            for ty in 0..side {
                for tx in 0..side {
                    let mut hits = 0u32;
                    for ky in 0..4 {
                        for kx in 0..4 {
                            if g.ink(src(tx, kx), src(ty, ky)) {
                                hits += 1;
                            }
                        }
                    }
                    if hits > 0 {
                        self.blend(x0 + tx, y0 + ty, c, hits * 255 / 16);
                    }
                }
            }
        } else if !ch.is_whitespace() && !ch.is_control() {
            missing_glyph(ch);
            let w = (scale / 3).max(1);
            self.outline(
                x + scale / 2,
                y - scale,
                x + adv - scale,
                y + 9 * scale,
                w,
                c,
            );
            if let Some(q) = font::glyph('?') {
                for (r, bits) in q.iter().enumerate() {
                    for col in 0..5 {
                        if bits & (0x10 >> col) != 0 {
                            let px = x + 3 * scale + col * scale;
                            let py = y + r as i32 * scale;
                            self.fill(px, py, px + scale, py + scale, c);
                        }
                    }
                }
            }
        }
        adv
    }

    /// Draws a line of text; returns the width used.
    pub fn draw_text(&mut self, x: i32, y: i32, text: &str, scale: i32, c: Rgb) -> i32 {
        let mut cx = x;
        for ch in text.chars() {
            cx += self.draw_char(cx, y, ch, scale, c);
        }
        cx - x
    }

    /// Encodes as PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, png::EncodingError> {
        encode_png(self.width as u32, self.height as u32, &self.pixels)
    }
}

/// Logs a character that has no glyph, once per character (at most 256 distinct ones).
fn missing_glyph(ch: char) {
    static SEEN: std::sync::Mutex<std::collections::BTreeSet<char>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let first = match SEEN.lock() {
        Ok(mut seen) => seen.len() < 256 && seen.insert(ch),
        Err(_) => false,
    };
    if first {
        tracing::warn!(
            character = %ch.escape_unicode(),
            "the simulated handset has no glyph for this character; screenshots draw it as a \
             boxed `?` (tools/cjk-glyphs/generate.sh adds the characters of the models)"
        );
    }
}

/// Horizontal advance of a character at a glyph scale (the same character `draw_char` draws:
/// typographic punctuation takes its ASCII look-alike's advance).
pub fn char_advance(ch: char, scale: i32) -> i32 {
    if font::glyph(font::ascii_fallback(ch)).is_some() {
        6 * scale
    } else {
        11 * scale
    }
}

/// Whether a line may break right before `ch`: before a CJK character (ideographs, kana,
/// full-width forms, CJK punctuation), except closing punctuation, which stays on the line it
/// closes (the common core of the CJK line-breaking rules, UAX #14 classes ID vs CL/EX/IS).
fn breaks_before(ch: char) -> bool {
    ch as u32 >= 0x2E80 && !"，。、；：？！）》」』】〉～・".contains(ch)
}

/// Wraps `text` into lines no wider than `max_w` pixels: at a space, or before a CJK
/// character, when it can; anywhere otherwise; `\n` forces a break.
pub fn wrap(text: &str, max_w: i32, scale: i32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        // the last break opportunity in `line`: (cut the line here, the next line starts here)
        let mut last_break: Option<(usize, usize)> = None;
        for ch in para.chars() {
            let adv = char_advance(ch, scale);
            if w + adv > max_w && !line.is_empty() {
                match last_break {
                    Some((cut, resume)) if ch != ' ' && !breaks_before(ch) && cut > 0 => {
                        let rest: String = line[resume..].to_owned();
                        line.truncate(cut);
                        lines.push(std::mem::take(&mut line));
                        line = rest;
                        w = line.chars().map(|c| char_advance(c, scale)).sum();
                    }
                    _ => {
                        lines.push(std::mem::take(&mut line));
                        w = 0;
                    }
                }
                last_break = None;
                if ch == ' ' {
                    continue;
                }
            }
            if ch == ' ' {
                last_break = Some((line.len(), line.len() + 1));
            } else if breaks_before(ch) {
                last_break = Some((line.len(), line.len()));
            }
            line.push(ch);
            w += adv;
        }
        lines.push(line);
    }
    lines
}

/// Encodes 8-bit RGB pixels (row-major, `w*h*3` bytes) as a PNG file (the `png` crate:
/// 8-bit RGB, fast deflate, no filter — screens are flat colours).
pub fn encode_png(w: u32, h: u32, rgb: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    enc.set_filter(png::Filter::NoFilter);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_decodes_with_an_independent_decoder_and_pixels_survive() {
        let mut c = Canvas::new(40, 30, [255, 255, 255]);
        c.fill(5, 5, 15, 10, [200, 10, 20]);
        c.draw_text(2, 15, "Hi", 1, [0, 0, 0]);
        let png = c.to_png().unwrap();
        assert_eq!(&png[..8], &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        let dec = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (40, 30));
        let at = |x: usize, y: usize| &buf[(y * 40 + x) * 3..(y * 40 + x) * 3 + 3];
        assert_eq!(at(6, 6), &[200, 10, 20]);
        assert_eq!(at(30, 2), &[255, 255, 255]);
        // 'H' has ink in its first column at every row
        assert_eq!(at(2, 15), &[0, 0, 0]);
        // every pixel survives the encoding
        assert_eq!(buf, c.pixels);
        assert_eq!(info.color_type, png::ColorType::Rgb);
    }

    /// One character drawn alone at a glyph scale, as the pixels of its cell.
    fn cell(ch: char, scale: i32) -> Vec<u8> {
        let adv = char_advance(ch, scale);
        let mut c = Canvas::new(adv as usize, (11 * scale) as usize, [255, 255, 255]);
        assert_eq!(c.draw_char(0, scale, ch, scale, [0, 0, 0]), adv);
        c.pixels
    }

    fn ink(pixels: &[u8]) -> usize {
        pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count()
    }

    #[test]
    fn cjk_characters_are_drawn_as_their_glyphs_not_as_boxes() {
        for scale in [3, 4, 5, 6] {
            let (tong, yi, missing) = (
                cell('同', scale),
                cell('意', scale),
                cell('\u{E000}', scale),
            );
            assert_ne!(tong, yi, "two characters, two pictures (scale {scale})");
            assert_ne!(tong, missing, "a glyph, not the missing-glyph box");
            assert_ne!(yi, missing);
            // 意 has ink in the middle of its cell, where a hollow box has none
            let side = 10 * scale;
            let mut c = Canvas::new((11 * scale) as usize, (11 * scale) as usize, [255; 3]);
            c.draw_char(0, scale, '意', scale, [0, 0, 0]);
            let mid = (scale / 2 + side / 4, side * 3 / 4);
            let inner: usize = (mid.0..mid.1)
                .flat_map(|x| (mid.0..mid.1).map(move |y| (x, y)))
                .filter(|&(x, y)| c.pixel(x as usize, y as usize) != Some([255; 3]))
                .count();
            assert!(
                inner > (side * side / 16) as usize,
                "scale {scale}: {inner} inner ink pixels"
            );
        }
        // anti-aliased: some edge pixels are grey
        let tong = cell('同', 5);
        assert!(tong.chunks(3).any(|p| p[0] > 0 && p[0] < 255));
        assert!(ink(&tong) > 200);
    }

    #[test]
    fn a_character_without_a_glyph_is_a_boxed_question_mark_never_blank() {
        let missing = cell('\u{E000}', 4);
        // the `?` inside: its top bar is at rows 0 of the 5×9 glyph, columns 1–3
        let w = char_advance('\u{E000}', 4) as usize;
        let at = |x: usize, y: usize| &missing[(y * w + x) * 3..(y * w + x) * 3 + 3];
        assert_eq!(at(3 * 4 + 4 + 1, 4 + 1), &[0, 0, 0], "the `?`'s top bar");
        // the box: its left edge runs the full height of the cell
        assert_eq!(at(2, 4 * 5), &[0, 0, 0]);
        assert!(ink(&missing) > 100);
        // whitespace stays blank
        assert_eq!(ink(&cell('\u{3000}', 4)), 0);
        // typographic punctuation keeps its ASCII look-alike's advance in layout too
        assert_eq!(char_advance('\u{2019}', 4), char_advance('\'', 4));
    }

    #[test]
    fn wrap_breaks_at_spaces_and_forced_newlines() {
        let lines = wrap("hello world again", 6 * 10, 1);
        assert_eq!(lines, vec!["hello", "world", "again"]);
        assert_eq!(wrap("a\nb", 1000, 1), vec!["a", "b"]);
        let cjk = wrap("我们非常重视您的个人信息", 11 * 4, 1);
        assert_eq!(cjk.len(), 3);
        // Chinese text breaks before a CJK character, not at the last space of a Latin name
        // earlier on the line (which split "Leaky Shop" in the demo dialog)
        let mixed = wrap("欢迎使用 Leaky Shop！我们非常重视", 148, 1);
        assert_eq!(mixed, vec!["欢迎使用 Leaky Shop！我们", "非常重视"]);
        // a Latin word still moves whole
        assert_eq!(
            wrap("欢迎使用 Leaky Shop！", 115, 1),
            vec!["欢迎使用 Leaky", "Shop！"]
        );
        // closing punctuation never starts a line: it takes the character before it along
        assert_eq!(wrap("好好。好", 22, 1), vec!["好", "好。", "好"]);
    }
}
