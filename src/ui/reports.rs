//! Reports: a month's hours as an Excel workbook or CSV for payroll, or its puantaj cetveli alone.
//! The worker computes and writes the file while a progress bar runs; when it is done the folder
//! can be opened.

use std::path::{Path, PathBuf};

use egui::Ui;
use rainstaff_core::model::{Employee, Record};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_report::{CsvDialect, Month, Selection};
use uuid::Uuid;

use crate::bus::{Command, Topic};
use crate::i18n::{Lang, Pick, field_label};
use crate::report::{ReportFormat, ReportRequest};
use crate::ui::ctx::Ctx;
use crate::ui::form;
use crate::ui::widgets;

#[derive(Debug, Clone, PartialEq)]
enum State {
    Idle,
    Running(f32),
    /// Written; with why the folder could not be opened, if that was tried and failed.
    Done(PathBuf, Option<String>),
    Failed(String),
}

pub struct ReportsScreen {
    pub dirty: bool,
    employees: Vec<Record<Employee>>,
    /// Chosen on first show: the month before today's, the one payroll usually closes.
    month: Option<Month>,
    /// None = every employee.
    employee: Option<Uuid>,
    region_filter: Option<String>,
    format: ReportFormat,
    /// Where to write; filled by the save dialog or typed (the dialog is not there everywhere).
    path: String,
    state: State,
}

impl Default for ReportsScreen {
    fn default() -> Self {
        ReportsScreen {
            dirty: true,
            employees: Vec::new(),
            month: None,
            employee: None,
            region_filter: None,
            format: ReportFormat::Xlsx,
            path: String::new(),
            state: State::Idle,
        }
    }
}

impl ReportsScreen {
    pub fn progress(&mut self, done: f32) {
        if matches!(self.state, State::Running(_)) {
            self.state = State::Running(done);
        }
    }

    pub fn finished(&mut self, path: PathBuf) {
        self.state = State::Done(path, None);
    }

    pub fn failed(&mut self, topic: Topic, message: &str) {
        if topic == Topic::Report {
            self.state = State::Failed(message.to_string());
        }
    }

    /// The region the report covers: a non-administrator's own, whatever was chosen.
    fn region(&self, ctx: &Ctx<'_>) -> String {
        if ctx.user.region == ALL_REGIONS {
            self.region_filter.clone().unwrap_or_else(|| ALL_REGIONS.to_string())
        } else {
            ctx.user.region.clone()
        }
    }

    fn reload(&mut self, ctx: &Ctx<'_>) {
        self.employees = ctx.store.employees(&self.region(ctx)).unwrap_or_default();
        if self.employee.is_some_and(|id| !self.employees.iter().any(|e| e.id == id)) {
            self.employee = None;
        }
        self.dirty = false;
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty {
            self.reload(ctx);
        }
        let mut chosen = *self.month.get_or_insert_with(|| Month::of(ctx.today).previous());
        let before = chosen;
        ui.heading(lang.t("Raporlar", "Reports"));
        let mut reload = false;
        egui::Grid::new("report_grid").num_columns(2).show(ui, |ui| {
            form::row(ui, lang.t("Ay", "Month"), None, |ui| {
                widgets::month_combo(ui, lang, "report_month", &mut chosen)
            });
            let mut year = chosen.year();
            form::row(ui, lang.t("Yıl", "Year"), None, |ui| {
                ui.add(egui::DragValue::new(&mut year).range(1900..=2999))
            });
            chosen = Month::new(year, chosen.number()).unwrap_or(chosen);
            form::row(ui, field_label(lang, "employee_id"), None, |ui| {
                widgets::employee_combo(
                    ui,
                    lang,
                    "report_employee",
                    &self.employees,
                    &mut self.employee,
                    true,
                )
            });
            if ctx.scope.has_choice() {
                reload |= widgets::region_filter(ui, lang, ctx.scope.regions(), &mut self.region_filter);
                ui.end_row();
            }
            form::row(ui, lang.t("Biçim", "Format"), None, |ui| {
                let before = self.format;
                let r = ui
                    .horizontal(|ui| {
                        ui.radio_value(&mut self.format, ReportFormat::Xlsx, "Excel (XLSX)")
                            | ui.radio_value(&mut self.format, ReportFormat::Csv, "CSV")
                            | ui.radio_value(&mut self.format, ReportFormat::Puantaj, "Puantaj (XLSX)")
                    })
                    .inner;
                if self.format != before {
                    self.path = self.renamed(lang, chosen, before);
                }
                r
            });
            form::text(ui, lang.t("Dosya yolu", "File path"), &mut self.path, None);
        });
        self.month = Some(chosen);
        self.suggest_path(ctx, before, chosen);
        if reload {
            self.reload(ctx);
        }
        let running = matches!(self.state, State::Running(_));
        ui.horizontal(|ui| {
            if ui.add_enabled(!running, egui::Button::new(lang.t("Farklı kaydet…", "Save as…"))).clicked()
            {
                self.pick_file(lang, chosen);
            }
            if ui
                .add_enabled(!running, egui::Button::new(lang.t("Raporu oluştur", "Create report")))
                .clicked()
            {
                self.start(ctx, chosen);
            }
        });
        self.status(ui, lang);
    }

    /// The file name a month's report gets unless somebody types another.
    fn default_name(&self, lang: Lang, month: Month) -> String {
        default_name(lang, self.format, month)
    }

    /// The path after the format changed from `before`: the new format's default name in place
    /// of the old one's, else the typed name with the new format's extension.
    fn renamed(&self, lang: Lang, month: Month, before: ReportFormat) -> String {
        let typed = Path::new(self.path.trim());
        if typed.file_name().is_some_and(|n| n.to_string_lossy() == default_name(lang, before, month)) {
            typed.with_file_name(self.default_name(lang, month)).display().to_string()
        } else {
            with_extension(&self.path, before, self.format)
        }
    }

    /// Fills the path with the month's default name in the folder last written to (else the
    /// Documents folder), and keeps it following the month while nobody has typed a name of
    /// their own.
    fn suggest_path(&mut self, ctx: &Ctx<'_>, before: Month, month: Month) {
        let lang = ctx.lang;
        let typed = Path::new(self.path.trim());
        let ours = typed.file_name().is_some_and(|n| n.to_string_lossy() == self.default_name(lang, before));
        let follow = self.path.trim().is_empty() || (ours && before != month);
        if !follow {
            return;
        }
        let folder = match typed.parent().filter(|d| ours && !d.as_os_str().is_empty()) {
            Some(dir) => dir.to_path_buf(),
            None => ctx
                .store
                .setting(crate::report::LAST_FOLDER)
                .ok()
                .flatten()
                .map(PathBuf::from)
                .or_else(|| {
                    directories::UserDirs::new().and_then(|u| u.document_dir().map(Path::to_path_buf))
                })
                .unwrap_or_default(),
        };
        self.path = folder.join(self.default_name(lang, month)).display().to_string();
    }

    fn pick_file(&mut self, lang: Lang, month: Month) {
        let ext = self.format.extension();
        let mut dialog =
            rfd::FileDialog::new().add_filter(ext, &[ext]).set_file_name(self.default_name(lang, month));
        if let Some(dir) = Path::new(self.path.trim()).parent().filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        // Without a desktop portal (a bare X server) the dialog returns None at once; the typed
        // path is the way then.
        if let Some(path) = dialog.save_file() {
            self.path = path.display().to_string();
        }
    }

    fn start(&mut self, ctx: &Ctx<'_>, month: Month) {
        let lang = ctx.lang;
        let out = PathBuf::from(self.path.trim());
        // A relative path would land wherever the program happened to start; ask for a full one.
        if !out.is_absolute() {
            self.state = State::Failed(
                lang.t(
                    "Dosyanın tam yolunu yazın ya da “Farklı kaydet…” ile seçin",
                    "Type the file's full path or choose it with “Save as…”",
                )
                .into(),
            );
            return;
        }
        let selection = Selection { month, employee: self.employee, region: self.region(ctx) };
        // A CSV saved from the screen is for a person to open in Excel.
        let request = ReportRequest { selection, format: self.format, csv: CsvDialect::Excel, lang, out };
        self.state = State::Running(0.0);
        ctx.send(Command::ExportReport { request });
    }

    fn status(&mut self, ui: &mut Ui, lang: Lang) {
        match &mut self.state {
            State::Idle => {}
            State::Running(done) => {
                ui.add(egui::ProgressBar::new(*done).show_percentage());
            }
            State::Done(path, open_error) => {
                ui.label(format!("{}: {}", lang.t("Rapor kaydedildi", "Report saved"), path.display()));
                if ui.button(lang.t("Klasörü aç", "Open folder")).clicked() {
                    let dir = path.parent().unwrap_or(Path::new("."));
                    *open_error = open_folder(dir)
                        .err()
                        .map(|e| format!("{}: {e}", lang.t("Klasör açılamadı", "Cannot open the folder")));
                }
                if let Some(e) = open_error {
                    form::error_line(ui, e);
                }
            }
            State::Failed(message) => form::error_line(ui, message),
        }
    }
}

fn default_name(lang: Lang, format: ReportFormat, month: Month) -> String {
    let what = match format {
        ReportFormat::Puantaj => lang.t("puantaj-cetveli", "attendance"),
        ReportFormat::Xlsx | ReportFormat::Csv => lang.t("puantaj", "timesheets"),
    };
    format!("{what}-{month}.{}", format.extension())
}

/// Keeps a typed path's extension in step with the chosen format.
fn with_extension(path: &str, from: ReportFormat, to: ReportFormat) -> String {
    let p = Path::new(path);
    if p.extension().is_some_and(|e| e.eq_ignore_ascii_case(from.extension())) {
        p.with_extension(to.extension()).display().to_string()
    } else {
        path.to_string()
    }
}

/// Opens a folder in the system's file manager. Where there is none (a server, a bare X
/// session) this says so, naming the program, and nothing else happens.
fn open_folder(dir: &Path) -> std::io::Result<()> {
    let program = if cfg!(windows) {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(program)
        .arg(dir)
        .spawn()
        .map_err(|e| std::io::Error::new(e.kind(), format!("{program}: {e}")))?;
    // Reaping the child keeps it from lingering as a zombie until the app exits.
    std::thread::spawn(move || child.wait());
    Ok(())
}
