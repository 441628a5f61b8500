//! Screenshots: the window stack drawn onto a canvas.

use super::*;

/// Renders the display: the topmost full-screen window and everything above it.
pub fn render(w: &World, clock_text: &str) -> crate::device::png::Canvas {
    use crate::device::png::Canvas;
    let mut c = Canvas::new(
        ui::SCREEN_W as usize,
        ui::SCREEN_H as usize,
        [248, 249, 250],
    );
    let base = w
        .windows
        .iter()
        .rposition(|win| matches!(win.kind, WinKind::Launcher | WinKind::Activity))
        .unwrap_or(0);
    for (i, win) in w.windows.iter().enumerate().skip(base) {
        let root = w.window_root(win);
        if i > base {
            c.dim(0, 0, ui::SCREEN_W, ui::SCREEN_H, 110);
        } else if win.kind == WinKind::Launcher {
            c.fill(0, 0, ui::SCREEN_W, ui::SCREEN_H, [200, 215, 235]);
        }
        ui::draw(&mut c, &root);
    }
    c.fill(0, 0, ui::SCREEN_W, ui::STATUS_H, [20, 20, 24]);
    c.draw_text(48, 40, clock_text, 6, [255, 255, 255]);
    c.draw_text(
        ui::SCREEN_W - 48 - 6 * 6 * 9,
        40,
        "SIMULATED",
        6,
        [255, 196, 0],
    );
    c
}
