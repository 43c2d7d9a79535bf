//! A day's numbers in words, for the "why?" button of the timesheet screen: the break and what
//! decided it, the cap, and where the overtime came from.

use super::BreakPolicy;
use super::report::{DayHours, ShiftWhy};
use crate::i18n::Lang;
use crate::time::{format_duration, format_hhmm};

impl DayHours {
    /// One sentence per line, in `lang`.
    pub fn explain(&self, lang: Lang) -> Vec<String> {
        let mut lines = Vec::new();
        for shift in &self.why.shifts {
            lines.push(shift_line(shift, lang));
            lines.push(break_line(self.why.policy, shift, lang));
            if !shift.placed.is_empty() {
                lines.push(placement_line(shift, lang));
            }
        }
        lines.push(self.cap_line(lang));
        lines.push(self.excess_line(lang));
        if self.why.ubgt_offset > 0 {
            lines.push(match lang {
                Lang::En => format!(
                    "{} of holiday work are left out of the overtime base (company policy).",
                    dur(self.why.ubgt_offset, lang)
                ),
                Lang::Tr => format!(
                    "Tatil çalışmasının {} kadarı fazla çalışma hesabına katılmadı (şirket politikası).",
                    dur(self.why.ubgt_offset, lang)
                ),
            });
        }
        lines.push(self.threshold_line(lang));
        if self.ot50 > 0 {
            let weekly = self.ot50 - self.daily_excess;
            lines.push(match lang {
                Lang::En => format!(
                    "Overtime (ot50) {} = {} daily excess + {} above the {} threshold.",
                    dur(self.ot50, lang),
                    dur(self.daily_excess, lang),
                    dur(weekly, lang),
                    period_en(self.why.weeks),
                ),
                Lang::Tr => format!(
                    "Fazla çalışma (ot50) {} = {} günlük aşım + {} {} aşan.",
                    dur(self.ot50, lang),
                    dur(self.daily_excess, lang),
                    dur(weekly, lang),
                    threshold_tr(self.why.weeks, true),
                ),
            });
        }
        if !self.flags.is_empty() {
            let labels: Vec<&str> = self.flags.iter().map(|f| f.label(lang)).collect();
            let head = match lang {
                Lang::En => "Warnings",
                Lang::Tr => "Uyarılar",
            };
            lines.push(format!("{head}: {}.", labels.join("; ")));
        }
        lines
    }

    fn cap_line(&self, lang: Lang) -> String {
        let (np, span) = (self.why.night_presence, self.span);
        match (self.night_shift, lang) {
            (true, Lang::En) => format!(
                "Night shift: {np} of its {span} min of presence fall between 20:00 and 06:00, more \
                 than half, so the day's cap is {} instead of 11 h.",
                dur(self.why.cap, lang)
            ),
            (true, Lang::Tr) => format!(
                "Gece vardiyası: {span} dk'nın {np} dk'sı 20:00–06:00 arasında, yarıdan fazlası; \
                 bu yüzden günlük sınır 11 saat değil {}.",
                dur(self.why.cap, lang)
            ),
            (false, Lang::En) => format!(
                "Daily cap {}: {np} of {span} min fall between 20:00 and 06:00, not more than \
                 half, so this is not a night shift.",
                dur(self.why.cap, lang)
            ),
            (false, Lang::Tr) => format!(
                "Günlük sınır {}: {span} dk'nın {np} dk'sı 20:00–06:00 arasında, yarıdan \
                 fazlası değil; gece vardiyası sayılmaz.",
                dur(self.why.cap, lang)
            ),
        }
    }

    fn excess_line(&self, lang: Lang) -> String {
        let worked = dur(self.worked, lang);
        match (self.daily_excess, lang) {
            (0, Lang::En) => format!("Worked {worked}, within the cap."),
            (0, Lang::Tr) => format!("Çalışma {worked}, sınırın içinde."),
            (x, Lang::En) => format!(
                "Worked {worked}: {} above the cap is overtime (ot50) whatever the rest of the week.",
                dur(x, lang)
            ),
            (x, Lang::Tr) => format!(
                "Çalışma {worked}: sınırı aşan {} haftanın geri kalanından bağımsız olarak fazla \
                 çalışmadır (ot50).",
                dur(x, lang)
            ),
        }
    }

    fn threshold_line(&self, lang: Lang) -> String {
        let w = &self.why;
        let over = self.ot50 - self.daily_excess;
        let mut line = match lang {
            Lang::En => format!(
                "{} threshold {}: {} counted before this day, this day counts {}",
                capitalised(&period_en(w.weeks)),
                dur(w.threshold, lang),
                dur(w.cum_before, lang),
                dur(w.counted, lang),
            ),
            Lang::Tr => format!(
                "{} {}: bu günden önce {} sayıldı, bu gün {} ekledi",
                capitalised(&threshold_tr(w.weeks, false)),
                dur(w.threshold, lang),
                dur(w.cum_before, lang),
                dur(w.counted, lang),
            ),
        };
        let mut parts = Vec::new();
        if over > 0 {
            parts.push(match lang {
                Lang::En => format!("it crosses the threshold by {} (ot50)", dur(over, lang)),
                Lang::Tr => format!("eşik {} aşıldı (ot50)", dur(over, lang)),
            });
        }
        if self.extra25 > 0 {
            parts.push(match lang {
                Lang::En => format!(
                    "{} fall between the contract's {} and the threshold (extra25)",
                    dur(self.extra25, lang),
                    dur(w.contract_threshold, lang)
                ),
                Lang::Tr => format!(
                    "{} sözleşmedeki {} ile eşik arasında kaldı (extra25)",
                    dur(self.extra25, lang),
                    dur(w.contract_threshold, lang)
                ),
            });
        }
        if parts.is_empty() {
            parts.push(match lang {
                Lang::En => "all of it within the contract's normal time".to_string(),
                Lang::Tr => "tamamı sözleşmedeki normal süre içinde".to_string(),
            });
        }
        line.push_str("; ");
        line.push_str(&parts.join("; "));
        line.push('.');
        line
    }
}

fn shift_line(s: &ShiftWhy, lang: Lang) -> String {
    let span = dur((s.end - s.start).max(0) as u32, lang);
    let range = clock_range(s.start, s.end);
    match (s.entries, lang) {
        (1, Lang::En) => format!("Shift {range}: span {span}."),
        (1, Lang::Tr) => format!("Vardiya {range}: toplam süre {span}."),
        (n, Lang::En) => {
            format!("{n} entries count as one shift {range} (less than 4 h apart, or touching): span {span}.")
        }
        (n, Lang::Tr) => format!(
            "{n} kayıt tek vardiya sayıldı, {range} (araları 4 saatten kısa ya da bitişik): toplam \
             süre {span}."
        ),
    }
}

fn break_line(policy: BreakPolicy, s: &ShiftWhy, lang: Lang) -> String {
    let b = s.breaks;
    let span = (s.end - s.start).max(0) as u32;
    let minimum = match lang {
        Lang::En => format!(
            "the legal minimum ({} for {} of work)",
            dur(b.statutory, lang),
            dur(span - b.statutory, lang)
        ),
        Lang::Tr => {
            format!("yasal asgari ({} çalışmaya {})", dur(span - b.statutory, lang), dur(b.statutory, lang))
        }
    };
    let entered = match (b.entered, lang) {
        (Some(e), _) => dur(e, lang),
        (None, Lang::En) => "none".to_string(),
        (None, Lang::Tr) => "yok".to_string(),
    };
    let gap = dur(b.gap, lang);
    let brk = dur(b.minutes, lang);
    let mut line = match (policy, lang) {
        (BreakPolicy::Statutory, Lang::En) => format!(
            "Break {brk}, statutory policy: the largest of the gaps between entries ({gap}), the \
             break entered ({entered}) and {minimum}."
        ),
        (BreakPolicy::Statutory, Lang::Tr) => format!(
            "Mola {brk}, yasal asgari politikası: kayıtlar arası boşluk ({gap}), girilen mola \
             ({entered}) ve {minimum} arasından en büyüğü."
        ),
        (BreakPolicy::AsEntered, Lang::En) => format!(
            "Break {brk} as entered ({entered}), or the gaps between entries ({gap}) when longer; \
             for comparison, {minimum}."
        ),
        (BreakPolicy::AsEntered, Lang::Tr) => format!(
            "Mola {brk}, girildiği gibi ({entered}), kayıtlar arası boşluk ({gap}) daha uzunsa o; \
             karşılaştırma için {minimum}."
        ),
        (BreakPolicy::Fixed(n), Lang::En) => format!(
            "Break {brk}: the fixed {} of the contract, or the gaps between entries ({gap}) when \
             longer; for comparison, {minimum}.",
            dur(n, lang)
        ),
        (BreakPolicy::Fixed(n), Lang::Tr) => format!(
            "Mola {brk}: sözleşmedeki sabit {}, kayıtlar arası boşluk ({gap}) daha uzunsa o; \
             karşılaştırma için {minimum}.",
            dur(n, lang)
        ),
    };
    if b.minutes < b.statutory {
        line.push_str(match lang {
            Lang::En => " The break is shorter than the legal minimum.",
            Lang::Tr => " Mola yasal asgariden kısa.",
        });
    }
    if b.minutes == span {
        line.push_str(match lang {
            Lang::En => " It takes the whole shift, so nothing counts as work.",
            Lang::Tr => " Mola vardiyanın tamamını kaplıyor; çalışma sayılan süre yok.",
        });
    }
    line
}

fn placement_line(s: &ShiftWhy, lang: Lang) -> String {
    let at: Vec<String> = s.placed.iter().map(|p| clock_range(p.0, p.1)).collect();
    let at = at.join(", ");
    match lang {
        Lang::En => format!(
            "The part of the break not covered by gaps is placed at {at}, in the middle of the \
             longest stretch of presence, to count night and holiday minutes by the clock."
        ),
        Lang::Tr => format!(
            "Boşluklarla karşılanmayan mola, gece ve tatil dakikalarını saate göre saymak için en \
             uzun kesintisiz bölümün ortasına, {at} arasına yerleştirildi."
        ),
    }
}

fn period_en(weeks: u32) -> String {
    if weeks == 1 { "weekly".to_string() } else { format!("{weeks}-week averaging") }
}

/// The threshold's name, as subject or (`object`) as the object of "aşan".
fn threshold_tr(weeks: u32, object: bool) -> String {
    match (weeks, object) {
        (1, false) => "haftalık eşik".to_string(),
        (1, true) => "haftalık eşiği".to_string(),
        (n, false) => format!("{n} haftalık denkleştirme eşiği"),
        (n, true) => format!("{n} haftalık denkleştirme eşiğini"),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// "540 min (9:00)": payroll reads hours and minutes, the spec speaks minutes. Under an hour the
/// minutes say it all.
fn dur(m: u32, lang: Lang) -> String {
    let unit = match lang {
        Lang::En => "min",
        Lang::Tr => "dk",
    };
    if m < 60 { format!("{m} {unit}") } else { format!("{m} {unit} ({})", format_duration(i64::from(m))) }
}

/// `from–to` as times of day, from minutes after the day's midnight, marking later days with
/// `(+n)`: "22:00–06:00 (+1)", "01:45–02:15 (+1)".
fn clock_range(from: i64, to: i64) -> String {
    let day = |m: i64| m.div_euclid(1440);
    let time = |m: i64| format_hhmm(m.rem_euclid(1440) as u32);
    let mark = |n: i64| {
        if n == 0 { String::new() } else { format!(" (+{n})") }
    };
    if day(from) == day(to) {
        format!("{}–{}{}", time(from), time(to), mark(day(to)))
    } else {
        format!("{}{}–{}{}", time(from), mark(day(from)), time(to), mark(day(to)))
    }
}
