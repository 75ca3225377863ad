//! Items with their facets, content sync, and search on each engine's full-text search.

use crate::support::{add_item, at, new_item, on_both, person, step, sync, t0};
use academy_core::learning::{
    Answer, Delivery, GradeBand, ItemKind, PdHours, Question, QuestionKind, Quiz, Reveal, StepKind, Strand, Subject,
};
use academy_store::catalog::{self, CatalogQuery, Item, ItemStatus, Length, NewItem, NewModule};
use academy_store::progress::{self, StepStatus};
use academy_store::{Store, StoreError};
use std::collections::BTreeMap;

on_both!(
    items_keep_their_fields_and_facets,
    content_sync_keeps_steps_whose_files_stay,
    search_applies_text_and_every_filter
);

async fn items_keep_their_fields_and_facets(store: Store) {
    let author = person(&store, "Ada").await;
    let new = NewItem {
        title: "Prompting Basics".into(),
        summary: "Write prompts that work.".into(),
        description_md: "# Prompting\n\nThree habits.".into(),
        minutes: 45,
        pd_hours: PdHours::from_tenths(15),
        credential_bearing: true,
        status: ItemStatus::Draft,
        version: Some("1.2.0".into()),
        authors: vec!["Ada Lovelace".into(), "Grace Hopper".into()],
        license: Some("CC-BY-4.0".into()),
        grade_bands: vec![GradeBand::G6to8, GradeBand::K2, GradeBand::G6to8],
        subjects: vec![Subject::Science, Subject::Math],
        ..new_item("prompting-basics", ItemKind::Course)
    };
    let mut tx = store.begin().await.expect("begin");
    let id = catalog::create_item(&mut tx, &new, Some(author), t0()).await.expect("create");
    tx.commit().await.expect("commit");

    let item = catalog::item(&store, id).await.expect("item").expect("exists");
    let expected = Item {
        id,
        slug: "prompting-basics".into(),
        kind: ItemKind::Course,
        strand: Strand::AiFoundations,
        delivery: Delivery::SelfPaced,
        title: "Prompting Basics".into(),
        summary: "Write prompts that work.".into(),
        description_md: "# Prompting\n\nThree habits.".into(),
        minutes: 45,
        pd_hours_tenths: 15,
        credential_bearing: true,
        status: ItemStatus::Draft,
        version: Some("1.2.0".into()),
        authors: Some(r#"["Ada Lovelace","Grace Hopper"]"#.into()),
        license: Some("CC-BY-4.0".into()),
        owner_org_id: None,
        updated_at: t0(),
    };
    assert_eq!(item, expected);
    assert_eq!(item.authors().expect("authors"), ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(catalog::item_by_slug(&store, "prompting-basics").await.expect("by slug"), Some(expected.clone()));
    assert_eq!(catalog::item_by_slug(&store, "prompting").await.expect("by slug"), None);
    assert_eq!(catalog::item(&store, id + 1).await.expect("item"), None);
    assert_eq!(
        catalog::facets(&store, id).await.expect("facets"),
        (vec![GradeBand::K2, GradeBand::G6to8], vec![Subject::Math, Subject::Science]),
        "each facet once, in the vocabulary's order"
    );

    let mut tx = store.begin().await.expect("begin");
    let err = catalog::create_item(&mut tx, &new_item("prompting-basics", ItemKind::Lab), None, t0())
        .await
        .expect_err("a taken slug");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "slug"), "{err:?}");
    drop(tx);

    let changed = NewItem {
        slug: "renamed".into(),
        kind: ItemKind::Lab,
        strand: Strand::Ethics,
        title: "Prompting Well".into(),
        minutes: 90,
        pd_hours: PdHours::from_tenths(20),
        credential_bearing: false,
        status: ItemStatus::Published,
        version: None,
        authors: Vec::new(),
        license: None,
        grade_bands: vec![GradeBand::G9to12],
        subjects: vec![Subject::AllSubjects],
        ..new.clone()
    };
    let mut tx = store.begin().await.expect("begin");
    catalog::update_item(&mut tx, id, &changed, at(60)).await.expect("update");
    tx.commit().await.expect("commit");
    let updated = catalog::item(&store, id).await.expect("item").expect("exists");
    let expected = Item {
        strand: Strand::Ethics,
        title: "Prompting Well".into(),
        minutes: 90,
        pd_hours_tenths: 20,
        credential_bearing: false,
        status: ItemStatus::Published,
        version: None,
        authors: Some("[]".into()),
        license: None,
        updated_at: at(60),
        ..expected
    };
    assert_eq!(updated, expected, "slug and kind stay; everything else follows the edit");
    assert!(updated.authors().expect("authors").is_empty());
    assert_eq!(
        catalog::facets(&store, id).await.expect("facets"),
        (vec![GradeBand::G9to12], vec![Subject::AllSubjects])
    );

    let mut tx = store.begin().await.expect("begin");
    catalog::set_status(&mut tx, id, ItemStatus::Archived, at(120)).await.expect("archive");
    tx.commit().await.expect("commit");
    let archived = catalog::item(&store, id).await.expect("item").expect("exists");
    assert_eq!(archived, Item { status: ItemStatus::Archived, updated_at: at(120), ..expected });
}

async fn content_sync_keeps_steps_whose_files_stay(store: Store) {
    let learner = person(&store, "Ben").await;
    let item = add_item(&store, &new_item("first-lab", ItemKind::Lab)).await;
    let quiz = Quiz {
        passing_percent: 80,
        max_attempts: 3,
        reveal: Reveal::WhenDone,
        questions: vec![Question {
            kind: QuestionKind::Single,
            prompt: "Which is a large language model?".into(),
            choices: vec!["A spreadsheet".into(), "A chatbot's engine".into()],
            answer: Answer::Choices(vec![1]),
            feedback: "The engine behind a chatbot.".into(),
        }],
    };
    let params = BTreeMap::from([("host".to_owned(), "example.org".to_owned())]);
    let check = catalog::NewStep { quiz: Some(quiz.clone()), ..step(StepKind::Quiz, "check.md", "Check") };
    let reflect = catalog::NewStep { min_words: Some(50), ..step(StepKind::Reflection, "reflect.md", "Reflect") };
    let task = catalog::NewStep {
        completion: Some(("link".into(), params.clone())),
        ..step(StepKind::Task, "task.md", "Share a link")
    };
    sync(
        &store,
        item,
        &[
            NewModule {
                title: "Basics".into(),
                steps: vec![step(StepKind::Lesson, "intro.md", "Intro"), check, reflect],
            },
            NewModule { title: "Practice".into(), steps: vec![task] },
        ],
    )
    .await;

    let modules = catalog::modules(&store, item).await.expect("modules");
    let outline: Vec<(i64, &str)> = modules.iter().map(|m| (m.position, m.title.as_str())).collect();
    assert_eq!(outline, [(1, "Basics"), (2, "Practice")]);
    let (basics, practice) = (modules[0].id, modules[1].id);
    let steps = catalog::steps(&store, item).await.expect("steps");
    let layout: Vec<(i64, i64, &str, StepKind)> =
        steps.iter().map(|s| (s.position, s.module_id, s.file.as_str(), s.kind)).collect();
    assert_eq!(
        layout,
        [
            (1, basics, "intro.md", StepKind::Lesson),
            (2, basics, "check.md", StepKind::Quiz),
            (3, basics, "reflect.md", StepKind::Reflection),
            (4, practice, "task.md", StepKind::Task),
        ]
    );
    assert!(steps.iter().all(|s| s.item_id == item));
    assert_eq!(steps[0].body_md, "Body of intro.md.");
    assert_eq!(steps[0].quiz().expect("no quiz"), None);
    assert_eq!(steps[1].quiz().expect("quiz"), Some(quiz));
    assert_eq!(steps[2].min_words, Some(50));
    assert_eq!(steps[3].completion_rule.as_deref(), Some("link"));
    assert_eq!(steps[3].completion_params().expect("params"), params);
    assert!(steps[0].completion_params().expect("none").is_empty());
    assert_eq!(catalog::step(&store, steps[2].id).await.expect("step"), Some(steps[2].clone()));

    // The learner finishes the lesson and the quiz and stands at the quiz.
    let mut tx = store.begin().await.expect("begin");
    let (enrollment, _) = progress::enroll(&mut tx, learner, item, None, t0()).await.expect("enroll");
    assert!(progress::complete_step(&mut tx, enrollment.id, steps[0].id, Some("{}"), at(1)).await.expect("intro"));
    assert!(progress::complete_step(&mut tx, enrollment.id, steps[1].id, None, at(2)).await.expect("quiz"));
    progress::set_current_step(&mut tx, enrollment.id, steps[1].id, at(2)).await.expect("current");
    tx.commit().await.expect("commit");

    // The author drops the quiz and the task, moves the reflection first, adds a lesson and
    // folds everything into one module.
    let revised = [NewModule {
        title: "Everything".into(),
        steps: vec![
            catalog::NewStep { min_words: Some(80), ..step(StepKind::Reflection, "reflect.md", "Reflect again") },
            step(StepKind::Lesson, "new.md", "New"),
            step(StepKind::Lesson, "intro.md", "Intro, revised"),
        ],
    }];
    sync(&store, item, &revised).await;
    let modules = catalog::modules(&store, item).await.expect("modules");
    let outline: Vec<(i64, i64, &str)> = modules.iter().map(|m| (m.id, m.position, m.title.as_str())).collect();
    assert_eq!(outline, [(basics, 1, "Everything")], "the first module keeps its id; the second is gone");
    let after = catalog::steps(&store, item).await.expect("steps");
    let layout: Vec<(i64, &str, &str)> =
        after.iter().map(|s| (s.position, s.file.as_str(), s.title.as_str())).collect();
    assert_eq!(layout, [(1, "reflect.md", "Reflect again"), (2, "new.md", "New"), (3, "intro.md", "Intro, revised")]);
    assert_eq!((after[0].id, after[2].id), (steps[2].id, steps[0].id), "unchanged files keep their steps");
    assert!(steps.iter().all(|s| s.id != after[1].id), "a new file is a new step");
    assert!(after.iter().all(|s| s.module_id == basics));
    assert_eq!(after[0].min_words, Some(80));
    assert_eq!(catalog::step(&store, steps[1].id).await.expect("step"), None, "the quiz is gone");

    let enrollment = progress::find(&store, learner, item).await.expect("find").expect("enrolled");
    assert_eq!(enrollment.current_step_id, None, "standing at a removed step lets go of it");
    let done: Vec<(i64, StepStatus)> = progress::step_progress(&store, enrollment.id)
        .await
        .expect("progress")
        .into_iter()
        .map(|p| (p.step_id, p.status))
        .collect();
    assert_eq!(done, [(steps[0].id, StepStatus::Completed)], "progress on kept steps stays, on removed ones goes");
    assert_eq!(progress::step_counts(&store, enrollment.id).await.expect("counts"), (1, 3));

    sync(&store, item, &revised).await;
    assert_eq!(catalog::steps(&store, item).await.expect("steps"), after, "syncing the same content changes nothing");
}

/// Titles of one page of results, and the total.
async fn titles(store: &Store, q: &CatalogQuery, limit: i64, offset: i64) -> (Vec<String>, i64) {
    let (page, total) = catalog::search(store, q, limit, offset).await.expect("search");
    (page.into_iter().map(|c| c.title).collect(), total)
}

fn found(titles: &[&str]) -> (Vec<String>, i64) {
    (titles.iter().map(|&t| t.to_owned()).collect(), titles.len() as i64)
}

async fn search_applies_text_and_every_filter(store: Store) {
    let differentiation = NewItem {
        strand: Strand::ClassroomPractice,
        title: "Differentiation with AI".into(),
        summary: "Plan one lesson for every learner.".into(),
        minutes: 60,
        grade_bands: vec![GradeBand::G3to5, GradeBand::G6to8],
        subjects: vec![Subject::Math],
        ..new_item("differentiation", ItemKind::Course)
    };
    let feedback = NewItem {
        strand: Strand::ClassroomPractice,
        delivery: Delivery::LiveVirtual,
        title: "AI in Classroom Feedback".into(),
        summary: "Faster, kinder feedback on student writing.".into(),
        minutes: 180,
        grade_bands: vec![GradeBand::G9to12],
        subjects: vec![Subject::AllSubjects],
        ..new_item("classroom-feedback", ItemKind::Workshop)
    };
    let bias = NewItem {
        strand: Strand::Ethics,
        title: "Bias and Fairness in AI".into(),
        summary: "Test a model for bias.".into(),
        description_md: "Ends with the differentiation of instruction.".into(),
        minutes: 181,
        grade_bands: vec![GradeBand::G6to8],
        subjects: vec![Subject::Science],
        ..new_item("bias-and-fairness", ItemKind::Lab)
    };
    let draft = NewItem {
        title: "Prompting Basics".into(),
        status: ItemStatus::Draft,
        minutes: 30,
        grade_bands: vec![GradeBand::K2],
        subjects: vec![Subject::Ela],
        ..new_item("prompting-basics", ItemKind::Course)
    };
    let archived = NewItem {
        strand: Strand::Ethics,
        title: "Academic Integrity".into(),
        status: ItemStatus::Archived,
        ..new_item("academic-integrity", ItemKind::Course)
    };
    for new in [&differentiation, &feedback, &bias, &draft, &archived] {
        add_item(&store, new).await;
    }
    let all = CatalogQuery::default();
    let text = |t: &str| CatalogQuery { text: t.into(), ..CatalogQuery::default() };

    // Without text: published items by strand, then title.
    let published = ["AI in Classroom Feedback", "Differentiation with AI", "Bias and Fairness in AI"];
    assert_eq!(titles(&store, &all, 20, 0).await, found(&published));
    let authors = CatalogQuery { include_unpublished: true, ..CatalogQuery::default() };
    assert_eq!(
        titles(&store, &authors, 20, 0).await,
        found(&[
            "Prompting Basics",
            "AI in Classroom Feedback",
            "Differentiation with AI",
            "Academic Integrity",
            "Bias and Fairness in AI"
        ])
    );
    let page = titles(&store, &authors, 2, 1).await;
    assert_eq!(page, (vec!["AI in Classroom Feedback".to_owned(), "Differentiation with AI".to_owned()], 5));

    // Text: the last word is a prefix, and a title match outranks a description match.
    assert_eq!(
        titles(&store, &text("differen"), 20, 0).await,
        found(&["Differentiation with AI", "Bias and Fairness in AI"])
    );
    assert_eq!(titles(&store, &text("kinder FEEDBACK"), 20, 0).await, found(&["AI in Classroom Feedback"]));
    assert_eq!(titles(&store, &text("prompting"), 20, 0).await, found(&[]), "drafts stay out of the catalog");
    assert_eq!(
        titles(&store, &CatalogQuery { include_unpublished: true, ..text("prompting") }, 20, 0).await,
        found(&["Prompting Basics"])
    );
    // Words a search engine ignores ("in", "the") must not decide what matches.
    assert_eq!(titles(&store, &text("AI in the feedback"), 20, 0).await, found(&["AI in Classroom Feedback"]));
    // Facets are searched by name: "classroom" finds both Classroom practice items, the one
    // with the word in its title first.
    assert_eq!(
        titles(&store, &text("classroom"), 20, 0).await,
        found(&["AI in Classroom Feedback", "Differentiation with AI"])
    );
    assert_eq!(titles(&store, &text("the"), 20, 0).await, found(&published), "nothing left to search for");
    assert_eq!(titles(&store, &text("  !!! -- "), 20, 0).await, found(&published), "no words, no text filter");
    assert_eq!(titles(&store, &text("\"bias\" OR 1=1 --"), 20, 0).await, found(&[]), "quotes and operators are text");

    // Each filter, alone and with text.
    let strand = CatalogQuery { strand: Some(Strand::Ethics), ..CatalogQuery::default() };
    assert_eq!(titles(&store, &strand, 20, 0).await, found(&["Bias and Fairness in AI"]));
    let delivery = CatalogQuery { delivery: Some(Delivery::LiveVirtual), ..CatalogQuery::default() };
    assert_eq!(titles(&store, &delivery, 20, 0).await, found(&["AI in Classroom Feedback"]));
    let band = CatalogQuery { grade_band: Some(GradeBand::G6to8), ..CatalogQuery::default() };
    assert_eq!(titles(&store, &band, 20, 0).await, found(&["Differentiation with AI", "Bias and Fairness in AI"]));
    let math = CatalogQuery { subject: Some(Subject::Math), ..CatalogQuery::default() };
    assert_eq!(
        titles(&store, &math, 20, 0).await,
        found(&["AI in Classroom Feedback", "Differentiation with AI"]),
        "an item for all subjects matches every subject"
    );
    let science = CatalogQuery { subject: Some(Subject::Science), ..CatalogQuery::default() };
    assert_eq!(titles(&store, &science, 20, 0).await, found(&["AI in Classroom Feedback", "Bias and Fairness in AI"]));
    for (length, title) in [
        (Length::Short, "Differentiation with AI"),
        (Length::Medium, "AI in Classroom Feedback"),
        (Length::Long, "Bias and Fairness in AI"),
    ] {
        let q = CatalogQuery { length: Some(length), ..CatalogQuery::default() };
        assert_eq!(titles(&store, &q, 20, 0).await, found(&[title]), "{length:?} includes its bounds");
    }
    let narrowed = CatalogQuery { length: Some(Length::Long), ..text("differen") };
    assert_eq!(titles(&store, &narrowed, 20, 0).await, found(&["Bias and Fairness in AI"]));
    let nothing = CatalogQuery { strand: Some(Strand::AiFoundations), ..text("differen") };
    assert_eq!(titles(&store, &nothing, 20, 0).await, found(&[]));

    // Edits reach the search index.
    let feedback_id = catalog::item_by_slug(&store, "classroom-feedback").await.expect("item").expect("exists").id;
    let bias_id = catalog::item_by_slug(&store, "bias-and-fairness").await.expect("item").expect("exists").id;
    let mut tx = store.begin().await.expect("begin");
    let renamed = NewItem { title: "Feedback Studio".into(), ..feedback };
    catalog::update_item(&mut tx, feedback_id, &renamed, at(5)).await.expect("update");
    catalog::set_status(&mut tx, bias_id, ItemStatus::Draft, at(5)).await.expect("unpublish");
    tx.commit().await.expect("commit");
    assert_eq!(
        titles(&store, &text("classroom"), 20, 0).await,
        found(&["Differentiation with AI", "Feedback Studio"]),
        "the old title left the index: only the strand matches now, and ties go by title"
    );
    assert_eq!(titles(&store, &text("studio"), 20, 0).await, found(&["Feedback Studio"]));
    assert_eq!(titles(&store, &text("differen"), 20, 0).await, found(&["Differentiation with AI"]));
}
