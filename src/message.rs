//! What the worker and the sync task tell the person at the screen. A message travels as data
//! and the UI puts it into words in the language chosen at that moment, so that nothing a Turkish
//! office sees arrives as an English sentence from deep inside the store.

use std::path::PathBuf;

use rainstaff_core::protocol::RefusalCode;
use rainstaff_core::roles::Denied;
use rainstaff_core::validate::FieldError;

use crate::db::StoreError;
use crate::db::edits::SaveError;
use crate::db::import::ImportError;
use crate::db::sync::SyncError;
use crate::db::users::{AuthError, LOCK_AFTER};
use crate::i18n::{Lang, Pick, field_label};

#[derive(Debug, Clone)]
pub enum Message {
    /// Words that are not ours to translate: a path, an error from the OS or a library.
    Plain(String),
    /// Said in both languages where it arose, for errors that carry more than can travel.
    Both {
        tr: String,
        en: String,
    },
    Fields(Vec<FieldError>),
    /// A delete the store refused, and why.
    NotDeleted(Vec<FieldError>),
    /// An undo the store refused (a shift entered since overlaps the one coming back).
    NotRestored(Vec<FieldError>),
    Auth(AuthError),
    /// The worker's policy refused a command for the person signed in.
    Denied(Denied),
    Sync(SyncError),
    PasswordChanged,
    WeekCopied {
        copied: usize,
        skipped: usize,
    },
    BackedUp(PathBuf),
    /// The user guide could not be written into the data folder (the OS's reason).
    GuideNotWritten(String),
    /// A backup was restored; the data it replaced was kept at `aside`.
    Restored {
        aside: PathBuf,
    },
    /// A refused change is back among the changes waiting to be sent.
    RefusedResent,
    /// A refused change was dropped and its record is the server's again.
    RefusedDiscarded,
}

impl Message {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Message::Plain(text) => text.clone(),
            Message::Both { tr, en } => match lang {
                Lang::Tr => tr.clone(),
                Lang::En => en.clone(),
            },
            Message::Fields(errors) => fields_text(lang, errors),
            Message::NotDeleted(errors) => {
                format!("{}: {}", lang.t("Silinmedi", "Not deleted"), fields_text(lang, errors))
            }
            Message::NotRestored(errors) => {
                format!("{}: {}", lang.t("Geri alınamadı", "Not restored"), fields_text(lang, errors))
            }
            Message::Auth(e) => match e {
                AuthError::WrongCredentials => {
                    lang.t("Kullanıcı adı ya da parola yanlış", "Wrong username or password")
                }
                AuthError::NeedsPassword => lang.t(
                    "Bu hesabın henüz parolası yok: sistem yöneticisi belirlemeli",
                    "This account has no password yet: an administrator must set one",
                ),
                AuthError::Disabled => lang.t("Bu hesap pasif", "This account is disabled"),
                AuthError::Locked { until, .. } => {
                    let at = chrono::DateTime::parse_from_rfc3339(until)
                        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
                        .unwrap_or_else(|_| until.clone());
                    return match lang {
                        Lang::Tr => format!("{LOCK_AFTER} hatalı deneme: saat {at} olana kadar bekleyin"),
                        Lang::En => format!("{LOCK_AFTER} failed attempts: wait until {at}"),
                    };
                }
            }
            .to_string(),
            Message::Denied(Denied::Region(e)) => field_text(lang, e),
            Message::Denied(denied) => denied.message(lang),
            Message::Sync(e) => sync_text(lang, e),
            Message::PasswordChanged => lang.t("Parola değiştirildi", "Password changed").to_string(),
            Message::WeekCopied { copied, skipped } => format!(
                "{copied} {} · {skipped} {}",
                lang.t("vardiya kopyalandı", "shifts copied"),
                lang.t("atlandı (çakışan ya da pasif)", "skipped (overlapping or inactive)")
            ),
            Message::GuideNotWritten(why) => {
                format!("{}: {why}", lang.t("Kılavuz açılamadı", "Cannot open the guide"))
            }
            Message::BackedUp(path) => format!("{}: {}", lang.t("Yedek alındı", "Backed up"), path.display()),
            Message::Restored { aside } => format!(
                "{}: {}",
                lang.t(
                    "Yedek geri yüklendi; önceki veriler saklandı",
                    "Backup restored; the data it replaced is kept at"
                ),
                aside.display()
            ),
            Message::RefusedResent => lang
                .t(
                    "Değişiklik yeniden gönderilmek üzere sıraya alındı",
                    "The change is queued to be sent again",
                )
                .to_string(),
            Message::RefusedDiscarded => lang
                .t(
                    "Değişiklikten vazgeçildi; kayıt artık sunucudaki gibi",
                    "The change was discarded; the record is now as the server has it",
                )
                .to_string(),
        }
    }
}

fn fields_text(lang: Lang, errors: &[FieldError]) -> String {
    errors.iter().map(|e| field_text(lang, e)).collect::<Vec<_>>().join("; ")
}

/// "Kullanıcı adı: zaten kayıtlı (ışık)": the field as people read it, then the problem.
pub fn field_text(lang: Lang, e: &FieldError) -> String {
    match field_label(lang, &e.field) {
        "" => e.message(lang),
        label => format!("{label}: {}", e.message(lang)),
    }
}

/// A sync or enrollment failure in a few words, as the toolbar's indicator shows it.
pub fn sync_failure(lang: Lang, e: &SyncError) -> String {
    match e {
        SyncError::Revoked => lang.t("Cihaz yetkisi kaldırıldı", "Device token revoked").into(),
        SyncError::UpdateRequired(_) => lang.t("Güncelleme gerekli", "Update required").into(),
        SyncError::Server(_) => lang.t("Sunucu hatası", "Server error").into(),
        SyncError::Refused(_) => lang.t("Sunucu isteği reddetti", "The server refused the request").into(),
        SyncError::Local(_) => lang.t("Yerel veri hatası", "Local data error").into(),
        SyncError::NotEnrolled => lang.t("Eşitleme kurulmadı", "Sync not set up").into(),
        SyncError::Offline(_) => lang.t("Çevrimdışı", "Offline").into(),
        SyncError::Invalid(e) => field_text(lang, e),
        SyncError::EpochChanged(_) => lang
            .t(
                "Sunucu yedekten geri yüklendi; yeniden katılım tamamlanamadı",
                "The server was restored from a backup; rejoining it did not finish",
            )
            .into(),
        SyncError::IdsBehind(_) => lang
            .t(
                "Bu bilgisayarın değişiklik numaraları sunucunun gerisinde kaldı",
                "This computer's change numbers are behind the server's",
            )
            .into(),
    }
}

/// Why the server refused one change, as the refused-changes list and a marked record say it.
pub fn refusal_text(lang: Lang, code: RefusalCode) -> &'static str {
    match code {
        RefusalCode::RegionForbidden => lang.t(
            "Bu bilgisayar o bölgenin kayıtlarını değiştiremez",
            "This computer may not change that region's records",
        ),
        RefusalCode::IdTaken => {
            lang.t("Bu kimlik başka bir bölgenin kaydına ait", "This id belongs to another region's record")
        }
        RefusalCode::InvalidRegion => lang.t("Bölge geçersiz", "The region is not valid"),
        RefusalCode::UnknownTable => {
            lang.t("Sunucu bu tür kaydı tanımıyor", "The server does not know this kind of record")
        }
        RefusalCode::InvalidFields => {
            lang.t("Alanlar sunucunun kurallarına uymuyor", "Fields break the server's rules")
        }
        RefusalCode::Deleted => {
            lang.t("Kayıt başka bir bilgisayarda silinmiş", "The record was deleted on another computer")
        }
        RefusalCode::Rule => lang.t("Bir veri kuralına uymuyor", "A data rule refused it"),
        RefusalCode::PeriodLocked => lang.t("Ay bordro için kilitli", "The month is locked for payroll"),
        RefusalCode::Other => lang.t("Sunucu reddetti", "The server refused it"),
    }
}

/// The mark a refused change leaves on its record (`sync_error`), in words. Marks written by
/// older versions hold the server's English sentence and are shown as they are.
pub fn record_mark_text(lang: Lang, mark: &str) -> String {
    match serde_json::from_value::<RefusalCode>(serde_json::Value::String(mark.to_string())) {
        Ok(RefusalCode::Other) | Err(_) => mark.to_string(),
        Ok(code) => refusal_text(lang, code).to_string(),
    }
}

/// The same, followed by what the server or the network said.
fn sync_text(lang: Lang, e: &SyncError) -> String {
    let lead = sync_failure(lang, e);
    match e {
        SyncError::Offline(d)
        | SyncError::UpdateRequired(d)
        | SyncError::Refused(d)
        | SyncError::Server(d)
        | SyncError::Local(d) => format!("{lead}: {d}"),
        SyncError::NotEnrolled
        | SyncError::Revoked
        | SyncError::Invalid(_)
        | SyncError::EpochChanged(_)
        | SyncError::IdsBehind(_) => lead,
    }
}

impl From<StoreError> for Message {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Field(e) => Message::Fields(vec![e]),
            StoreError::Refused { tr, en } => Message::Both { tr, en },
            StoreError::Damaged(damage) => {
                Message::Both { tr: damage.text(Lang::Tr), en: damage.text(Lang::En) }
            }
            other => Message::Plain(other.to_string()),
        }
    }
}

impl From<SyncError> for Message {
    fn from(e: SyncError) -> Self {
        Message::Sync(e)
    }
}

impl From<FieldError> for Message {
    fn from(e: FieldError) -> Self {
        Message::Fields(vec![e])
    }
}

impl From<SaveError> for Message {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Fields(errors) => Message::Fields(errors),
            SaveError::Store(e) => e.into(),
        }
    }
}

impl From<AuthError> for Message {
    fn from(e: AuthError) -> Self {
        Message::Auth(e)
    }
}

impl From<ImportError> for Message {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Store(e) => e.into(),
            ImportError::File(e) => Message::Both { tr: e.turkish(), en: e.to_string() },
            ImportError::Namespaces { regions, why } => Message::Both {
                tr: format!(
                    "{regions} bölgesinin kimlik ad alanı sunucudan alınamadı; sunucuya ulaşınca yeniden deneyin ({})",
                    sync_text(Lang::Tr, &why)
                ),
                en: format!(
                    "the id namespace of {regions} could not be had from the server; try again once it can be reached ({})",
                    sync_text(Lang::En, &why)
                ),
            },
        }
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Plain(text)
    }
}

impl From<std::io::Error> for Message {
    fn from(e: std::io::Error) -> Self {
        Message::Plain(e.to_string())
    }
}
