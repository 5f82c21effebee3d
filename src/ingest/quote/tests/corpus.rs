//! The talon and email-reply-parser ground truth, scored by [`crate::eval`], stays above its
//! bars.

use crate::eval::{replies, split, testing};

#[test]
fn reply_extraction_matches_talon_and_email_reply_parser() {
    let Some(corpus) = testing::corpus("") else {
        return;
    };
    let rows = replies::all(&corpus).expect("the reply ground truth is readable");
    testing::assert_bars(&rows);
}

#[test]
fn signature_split_matches_talon() {
    let Some(dir) = testing::corpus("talon") else {
        return;
    };
    let rows = split::talon(&dir).expect("the talon ground truth is readable");
    testing::assert_bars(&rows);
}
