//! Imports of the real legacy samples and of synthetic fixtures, checked against `oracle.json`.
//! One test binary with modules, so the shared helpers are compiled and linked once.

mod apply_rules;
mod bad_files;
mod common;
mod regions;
mod samples;
mod vehicles;
