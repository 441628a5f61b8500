/* Rasterizes characters of a TrueType font into the simulated handset's CJK glyph table
 * (crates/prior-sim/fonts/cjk-glyphs.bin). Run through tools/cjk-glyphs/generate.sh, never by
 * the build: the table is generated once and committed with its provenance
 * (crates/prior-sim/fonts/PROVENANCE.md).
 *
 *   rasterize FONT.ttf < codepoints (one decimal code point a line) > table.bin
 *
 * Record layout (repeated, sorted by code point): u32 little-endian code point, then 32 rows
 * of 4 bytes each (32x32 pixels, 1 bit a pixel, most significant bit = leftmost pixel). The
 * glyph is rendered monochrome at 32 pixels per em with its baseline at row 28, as a
 * full-width ideograph sits in the em box. A code point the font has no glyph for is an error.
 */
#include <ft2build.h>
#include FT_FREETYPE_H
#include <stdio.h>
#include <stdlib.h>

#define EM 32
#define BASELINE 28

int main(int argc, char **argv) {
  FT_Library lib;
  FT_Face face;
  unsigned long cp;
  if (argc != 2) {
    fprintf(stderr, "usage: rasterize FONT.ttf < codepoints > table.bin\n");
    return 2;
  }
  if (FT_Init_FreeType(&lib) || FT_New_Face(lib, argv[1], 0, &face) ||
      FT_Set_Pixel_Sizes(face, EM, EM)) {
    fprintf(stderr, "rasterize: cannot open %s\n", argv[1]);
    return 1;
  }
  while (scanf("%lu", &cp) == 1) {
    unsigned char rows[EM][EM / 8] = {{0}};
    unsigned char rec[4];
    FT_UInt gi = FT_Get_Char_Index(face, cp);
    if (gi == 0) {
      fprintf(stderr, "rasterize: the font has no glyph for U+%04lX\n", cp);
      return 1;
    }
    if (FT_Load_Glyph(face, gi, FT_LOAD_RENDER | FT_LOAD_TARGET_MONO)) {
      fprintf(stderr, "rasterize: cannot render U+%04lX\n", cp);
      return 1;
    }
    FT_Bitmap *b = &face->glyph->bitmap;
    int left = face->glyph->bitmap_left, top = face->glyph->bitmap_top;
    for (unsigned r = 0; r < b->rows; r++) {
      for (unsigned c = 0; c < b->width; c++) {
        int on = (b->buffer[r * b->pitch + c / 8] >> (7 - c % 8)) & 1;
        int y = BASELINE - top + (int)r, x = left + (int)c;
        if (on && y >= 0 && y < EM && x >= 0 && x < EM)
          rows[y][x / 8] |= (unsigned char)(0x80 >> (x % 8));
      }
    }
    rec[0] = cp & 0xff; rec[1] = (cp >> 8) & 0xff; rec[2] = (cp >> 16) & 0xff; rec[3] = (cp >> 24) & 0xff;
    fwrite(rec, 1, 4, stdout);
    fwrite(rows, 1, sizeof rows, stdout);
  }
  return 0;
}
