//! Keys typed faster than the window draws. egui moves the keyboard focus on Tab while a frame is
//! drawn, and the field that had the focus takes every character of that frame first: a slow
//! frame (software rendering) that gathered `18:00⇥60` typed "60" into the end time. So a frame
//! gets the events up to a focus move, and the rest wait for the next frames, drawn at once.

use std::collections::VecDeque;

use egui::{Event, Key, RawInput};

/// The events held back for the frames after a focus move.
#[derive(Default)]
pub struct HeldKeys(VecDeque<Event>);

impl HeldKeys {
    /// Gives `input` the held events and its own up to the first Tab (with or without Shift) and
    /// holds the rest, asking `ctx` for another frame at once.
    pub fn split(&mut self, ctx: &egui::Context, input: &mut RawInput) {
        let mut events: Vec<Event> = self.0.drain(..).chain(input.events.drain(..)).collect();
        if let Some(tab) = events.iter().position(moves_focus)
            && tab + 1 < events.len()
        {
            self.0.extend(events.split_off(tab + 1));
            ctx.request_repaint();
        }
        input.events = events;
    }

    /// Whether events wait for the next frame.
    pub fn holding(&self) -> bool {
        !self.0.is_empty()
    }
}

/// Tab moves the focus everywhere; Enter and the arrows move it in the week grid.
fn moves_focus(event: &Event) -> bool {
    matches!(
        event,
        Event::Key {
            key: Key::Tab | Key::Enter | Key::ArrowUp | Key::ArrowDown | Key::ArrowLeft | Key::ArrowRight,
            pressed: true,
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: Key, pressed: bool) -> Event {
        Event::Key { key, physical_key: None, pressed, repeat: false, modifiers: Default::default() }
    }

    #[test]
    fn each_frame_ends_at_a_focus_move() {
        let ctx = egui::Context::default();
        let mut held = HeldKeys::default();
        let text = |s: &str| Event::Text(s.into());
        let mut input = RawInput {
            events: vec![
                text("18:00"),
                key(Key::Tab, true),
                key(Key::Tab, false),
                text("60"),
                key(Key::Tab, true),
            ],
            ..Default::default()
        };
        held.split(&ctx, &mut input);
        assert_eq!(input.events, [text("18:00"), key(Key::Tab, true)]);
        let mut next = RawInput::default();
        held.split(&ctx, &mut next);
        assert_eq!(next.events, [key(Key::Tab, false), text("60"), key(Key::Tab, true)]);
        assert!(!held.holding(), "a Tab that ends the events holds nothing back");
    }
}
