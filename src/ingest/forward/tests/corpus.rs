//! The crisp-email-forward-parser ground truth (206 cases), scored by [`crate::eval`], stays
//! above its bars.

use crate::eval::{forwards, testing};

#[test]
fn the_crisp_corpus_is_unwrapped_like_upstream_expects() {
    let Some(dir) = testing::corpus("crisp-email-forward-parser") else {
        return;
    };
    let rows = forwards::crisp(&dir).expect("the crisp ground truth is readable");
    testing::assert_bars(&rows);
}

#[test]
fn the_crisp_outer_subjects_clean_to_the_original_subject() {
    let Some(dir) = testing::corpus("crisp-email-forward-parser") else {
        return;
    };
    let rows = forwards::subjects(&dir).expect("the crisp ground truth is readable");
    testing::assert_bars(&rows);
}
