//! Finding an employee by the name somebody typed: "ayşe ışık", "AYŞE IŞIK" and "ayse isik" are
//! the same person, unless two people's names differ only in those letters.

use rainstaff_core::model::{Employee, Record};
use rainstaff_core::regions::display_name;
use rainstaff_core::text::{search_key, tr_lower};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("no employee is named \"{0}\"")]
    Unknown(String),
    #[error("\"{name}\" matches several employees: {}; add --region or type the name exactly", .matches.join(", "))]
    Ambiguous { name: String, matches: Vec<String> },
}

/// The one employee `name` means: an exact match ignoring Turkish case first, then a match
/// ignoring diacritics as well.
pub fn find_employee<'a>(
    employees: &'a [Record<Employee>],
    name: &str,
) -> Result<&'a Record<Employee>, NameError> {
    for fold in [tr_lower as fn(&str) -> String, search_key] {
        let wanted = fold(name.trim());
        let found: Vec<&Record<Employee>> =
            employees.iter().filter(|e| fold(e.data.full_name.trim()) == wanted).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(one),
            many => {
                let matches = many
                    .iter()
                    .map(|e| format!("{} ({})", e.data.full_name, display_name(&e.region)))
                    .collect();
                return Err(NameError::Ambiguous { name: name.to_string(), matches });
            }
        }
    }
    Err(NameError::Unknown(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employee(name: &str, region: &str) -> Record<Employee> {
        Record {
            id: uuid::Uuid::new_v4(),
            region: region.into(),
            data: Employee { full_name: name.into(), ..Employee::default() },
            sync_error: None,
        }
    }

    #[test]
    fn folds_turkish_case_then_diacritics() {
        let list = [employee("AYŞE IŞIK", "Ankara"), employee("İSMAİL ŞAHİN", "Izmir")];
        assert_eq!(find_employee(&list, " ayşe ışık ").unwrap().data.full_name, "AYŞE IŞIK");
        assert_eq!(find_employee(&list, "ismail sahin").unwrap().data.full_name, "İSMAİL ŞAHİN");
        assert_eq!(find_employee(&list, "ayşe"), Err(NameError::Unknown("ayşe".into())));
    }

    #[test]
    fn an_exact_match_wins_over_a_loose_one_and_twins_are_ambiguous() {
        let list = [employee("ŞEN", "Ankara"), employee("SEN", "Bursa"), employee("SEN", "Izmir")];
        assert_eq!(find_employee(&list, "şen").unwrap().region, "Ankara");
        let err = find_employee(&list, "sen").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"sen\" matches several employees: SEN (Bursa), SEN (İzmir); add --region or type the name exactly"
        );
    }
}
