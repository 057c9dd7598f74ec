//! The drill's spec edits regenerate (in process, without building): every new piece appears
//! where the workspace needs it. `cargo xtask drill` then builds the result (in CI).

use xtask::generate::{self, GeneratedFile};
use xtask::spec::Spec;

fn generated_after_the_drill() -> Vec<GeneratedFile> {
    let raw = Spec::load(&xtask::spec_path()).unwrap().raw;
    let edited = xtask::drill::edited_spec(&raw).expect("every drill edit applies");
    let yaml = serde_norway::to_string(&edited).unwrap();
    generate::generate(&Spec::parse(&yaml).unwrap()).expect("the edited spec generates")
}

fn contents<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path.to_str() == Some(path))
        .unwrap_or_else(|| panic!("{path} generated"))
        .contents
}

#[test]
fn every_drill_edit_reaches_the_crates_that_follow_the_spec() {
    let files = generated_after_the_drill();
    let models = contents(&files, generate::MODELS);
    assert!(models.contains("pub drill_note: ::std::option::Option<::std::string::String>"));
    // Nested schemas too: the variants of the tool filter union.
    let allow_all = models
        .split("AllowAll {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("the allow_all variant");
    assert!(allow_all.contains("drill_note"), "{allow_all}");
    assert!(models.contains("DrillPaused = \"drill_paused\""));
    assert!(
        models.contains("id: \"delete_provider_oauth_setup\""),
        "OPERATIONS"
    );
    assert!(
        models.contains("id: \"get_provider_drill_widget\""),
        "OPERATIONS"
    );
    let sdk = contents(&files, generate::SDK);
    assert!(
        sdk.contains("pub fn drill_label(mut self"),
        "the list filter"
    );
    assert!(
        sdk.contains(".call(\"delete_provider_oauth_setup\")"),
        "the new operation"
    );
    assert!(
        sdk.contains("pub fn drill_widgets(&self) -> DrillWidgets"),
        "the new resource"
    );
    assert!(
        sdk.contains("pub type ListDrillWidgets"),
        "its list parameters"
    );
    let client = contents(&files, generate::CLIENT);
    assert!(client.contains("pub fn list_provider_drill_widgets(&self)"));
}
