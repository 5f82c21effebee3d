//! HTML written for these tests in the shapes the clients produce (no client's own text).

use super::*;
use crate::ingest::extract::clean_body;
use crate::ingest::forward::unwrap_forward;

/// The lines that hold text (blank lines and bare quote marks left out).
fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| {
            !l.trim_matches(|c: char| c == '>' || c.is_whitespace())
                .is_empty()
        })
        .collect()
}

/// What the pipeline stores of an HTML-only reply.
fn stored(html: &str) -> String {
    clean_body(&html_to_text(html), None).text
}

#[test]
fn html_blocks_and_table_rows_keep_their_lines() {
    let html = "<div>Dear Alice,</div><div>We need a quote.</div><table><tr><td>Name</td><td>Dana</td></tr><tr><td>Email</td><td>d@x.test</td></tr></table>";
    assert_eq!(
        lines(&html_to_text(html)),
        [
            "Dear Alice,",
            "We need a quote.",
            "Name | Dana",
            "Email | d@x.test"
        ]
    );
}

#[test]
fn blockquote_lines_are_quoted_one_mark_per_level() {
    let html = "<div>Sounds good.</div><blockquote><div>Can you do Tuesday?</div>\
        <blockquote>Shall we meet?<br>Anywhere is fine.</blockquote><div>Or Wednesday.</div>\
        </blockquote><div>Below.</div>";
    assert_eq!(
        lines(&html_to_text(html)),
        [
            "Sounds good.",
            "> Can you do Tuesday?",
            "> > Shall we meet?",
            "> > Anywhere is fine.",
            "> Or Wednesday.",
            "Below."
        ]
    );
}

#[test]
fn text_on_the_line_of_a_blockquote_tag_goes_on_lines_of_its_own() {
    let text = html_to_text("Reply<blockquote>Quote</blockquote>After");
    assert_eq!(lines(&text), ["Reply", "> Quote", "After"]);
}

#[test]
fn a_blank_line_inside_a_quote_keeps_its_marks() {
    let text = html_to_text(
        "<blockquote>one<br><br>two<blockquote>three<br><br>four</blockquote></blockquote>",
    );
    assert_eq!(text, "> one\n>\n> two\n> > three\n> >\n> > four");
}

#[test]
fn an_apple_mail_reply_keeps_only_the_reply() {
    let html = r#"<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto"><div dir="ltr">Thursday at 3 works, I will bring the contract.</div><div dir="ltr"><br><blockquote type="cite">On 3 Mar 2026, at 10:21, Mira Olsen &lt;mira@northwind.test&gt; wrote:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr"><div>Could we move the call to Thursday?</div><div>Mira</div></div></blockquote></body></html>"#;
    assert_eq!(
        stored(html),
        "Thursday at 3 works, I will bring the contract."
    );
}

#[test]
fn a_gmail_reply_keeps_only_the_reply() {
    let html = r#"<div dir="ltr">Yes, 40 seats. Please send the order form.</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Tue, Mar 3, 2026 at 10:21 AM Mira Olsen &lt;<a href="mailto:mira@northwind.test">mira@northwind.test</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">How many seats do you need?<div><br></div><div>Mira</div></div></blockquote></div>"#;
    assert_eq!(stored(html), "Yes, 40 seats. Please send the order form.");
}

#[test]
fn a_quote_marked_only_by_a_blockquote_is_cut() {
    let html = "<div><div>We accept the offer.</div><blockquote>Here is our offer for 12 licences.</blockquote></div>";
    assert_eq!(stored(html), "We accept the offer.");
}

#[test]
fn an_answer_written_between_blockquotes_keeps_its_quotes() {
    let html = "<div>See below.</div><blockquote>Can you ship by May?</blockquote><div>Yes, mid-May.</div>\
        <blockquote>And the price?</blockquote><div>As quoted.</div>";
    let text = stored(html);
    for wanted in [
        "See below.",
        "> Can you ship by May?",
        "Yes, mid-May.",
        "As quoted.",
    ] {
        assert!(text.contains(wanted), "{wanted:?} missing from {text:?}");
    }
}

#[test]
fn a_thunderbird_attribution_goes_with_its_quote_whatever_its_wording() {
    // Thunderbird's reply header is a user setting: any wording sits in div.moz-cite-prefix.
    let html = r#"<body><p>Agreed, let us sign next week.</p><div class="moz-cite-prefix">Mira Olsen, early on the third, in the thread about pricing<br></div><blockquote type="cite" cite="mid:abc@northwind.test"><p>Can we agree on the price?</p></blockquote></body>"#;
    assert_eq!(stored(html), "Agreed, let us sign next week.");
}

#[test]
fn a_yahoo_reply_keeps_only_the_reply() {
    // Yahoo puts the attribution and the earlier message, not indented, in div.yahoo_quoted,
    // and prefixes its class names when the mail is quoted again.
    for class in ["yahoo_quoted", "ydp3f2a91c0yahoo_quoted"] {
        let html = format!(
            r#"<div class="ydp5b1c2d3eyahoo-style-wrap"><div>Please call me on Friday.</div></div><div id="yahoo_quoted_4431" class="{class}"><div style="font-family:Helvetica,Arial,sans-serif;font-size:13px;color:#26282a;"><div>Mira Olsen said, sometime on Tuesday</div><div><br></div><div><div dir="ltr">When can we talk about the renewal?</div></div></div></div>"#
        );
        assert_eq!(stored(&html), "Please call me on Friday.", "{class}");
    }
}

#[test]
fn an_indent_blockquote_is_the_senders_own_text() {
    let html = r#"<div dir="ltr">The import fails with:</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px"><div><font face="monospace">error 42: quota exceeded</font></div></blockquote><div>Can you raise our quota?</div><blockquote style="margin: 0 0 0 40px; border: none; padding: 0px;"><div>Account 7781</div></blockquote>"#;
    assert_eq!(
        lines(&stored(html)),
        [
            "The import fails with:",
            "error 42: quota exceeded",
            "Can you raise our quota?",
            "Account 7781"
        ]
    );
}

#[test]
fn a_cited_blockquote_without_a_border_is_still_a_quote() {
    let html = r#"<div>Fine by me.</div><blockquote type="cite" style="margin:0 0 0 40px;border:none;padding:0px"><div>Shall we say 9 am?</div></blockquote>"#;
    assert_eq!(stored(html), "Fine by me.");
}

#[test]
fn an_apple_mail_html_forward_keeps_its_original_sender_subject_date_and_body() {
    let html = r#"<html><body dir="auto">Ana, this one is for you.<br><div dir="ltr"><br><blockquote type="cite">Begin forwarded message:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr"><b>From:</b> Mira Olsen &lt;mira@northwind.test&gt;<br><b>Date:</b> 3 March 2026 at 10:21:05 CET<br><b>To:</b> sales@acme.test<br><b>Subject:</b> Pricing for 40 seats<br></div></blockquote><blockquote type="cite"><div dir="ltr"><div>Hello,</div><div>we would like a quote for 40 seats.</div><div>Mira</div><blockquote type="cite"><div>Our earlier note about 20 seats.</div></blockquote></div></blockquote></body></html>"#;
    let text = html_to_text(html);
    let forward = unwrap_forward("Fwd: Pricing for 40 seats", &text).expect("a forward");
    assert_eq!(forward.from.address, "mira@northwind.test");
    assert_eq!(forward.from.name.as_deref(), Some("Mira Olsen"));
    assert_eq!(forward.subject.as_deref(), Some("Pricing for 40 seats"));
    assert_eq!(
        forward.date.as_deref(),
        Some("3 March 2026 at 10:21:05 CET")
    );
    assert_eq!(forward.note.as_deref(), Some("Ana, this one is for you."));
    assert_eq!(
        lines(&forward.body),
        [
            "Hello,",
            "we would like a quote for 40 seats.",
            "Mira",
            "> Our earlier note about 20 seats."
        ]
    );
    // The original's own quoted history is then cut from what is stored.
    let body = clean_body(&forward.body, Some("Mira Olsen")).text;
    assert!(!body.contains("20 seats"), "{body:?}");
    assert!(body.contains("quote for 40 seats"), "{body:?}");
}

#[test]
fn a_yahoo_html_forward_keeps_its_original_sender_subject_date_and_body() {
    let html = r#"<div class="yahoo-style-wrap"><div>FYI, a new inquiry.</div></div><div id="yahoo_quoted_9912" class="yahoo_quoted"><div style="font-family:Helvetica,Arial,sans-serif;font-size:13px;"><div>----- Forwarded Message -----</div><div><b>From:</b> Mira Olsen &lt;mira@northwind.test&gt;</div><div><b>To:</b> Ana Reyes &lt;ana@acme.test&gt;</div><div><b>Sent:</b> Tuesday, March 3, 2026, 10:21:05 AM GMT+1</div><div><b>Subject:</b> Renewal</div><div><br></div><div><div dir="ltr">Could you send the renewal terms?</div></div></div></div>"#;
    let text = html_to_text(html);
    let forward = unwrap_forward("Fw: Renewal", &text).expect("a forward");
    assert_eq!(forward.from.address, "mira@northwind.test");
    assert_eq!(forward.subject.as_deref(), Some("Renewal"));
    assert!(forward.date.is_some());
    assert_eq!(forward.note.as_deref(), Some("FYI, a new inquiry."));
    assert_eq!(forward.body.trim(), "Could you send the renewal terms?");
}

#[test]
fn a_gmail_html_forward_is_not_quoted() {
    let html = r#"<div dir="ltr">Please take this one.<br><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">Mira Olsen</strong> <span dir="auto">&lt;<a href="mailto:mira@northwind.test">mira@northwind.test</a>&gt;</span><br>Date: Tue, Mar 3, 2026 at 10:21 AM<br>Subject: Demo request<br>To: &lt;<a href="mailto:sales@acme.test">sales@acme.test</a>&gt;<br></div><br><br><div dir="ltr">We would like a demo next week.</div></div></div>"#;
    let text = html_to_text(html);
    assert!(!text.lines().any(|l| l.starts_with('>')), "{text:?}");
    let forward = unwrap_forward("Fwd: Demo request", &text).expect("a forward");
    assert_eq!(forward.from.address, "mira@northwind.test");
    assert_eq!(forward.body.trim(), "We would like a demo next week.");
}

#[test]
fn a_form_table_inside_a_quote_keeps_its_cells() {
    let html = "<div>New submission</div><blockquote><table><tr><td>Name</td><td>Dana</td></tr></table></blockquote>";
    assert_eq!(
        lines(&html_to_text(html)),
        ["New submission", "> Name | Dana"]
    );
}

#[test]
fn blockquotes_in_comments_scripts_and_styles_mark_nothing() {
    let html = "<style>blockquote { color: red } /* <blockquote> */</style><!-- <blockquote> -->\
        <div>Reply</div><script>var s = '<blockquote>';</script><div>More</div>";
    assert_eq!(lines(&html_to_text(html)), ["Reply", "More"]);
}

#[test]
fn unbalanced_and_broken_markup_never_leaves_a_stray_mark() {
    let unclosed = html_to_text("<div>Reply</div><blockquote><div>Quote</div><div>More</div>");
    assert_eq!(lines(&unclosed), ["Reply", "> Quote", "> More"]);
    let stray = html_to_text("</blockquote><div>Reply</div></blockquote><div>More</div>");
    assert_eq!(lines(&stray), ["Reply", "More"]);
    let mis_nested = html_to_text("<blockquote><div>Quote</blockquote></div><div>After</div>");
    assert_eq!(lines(&mis_nested), ["> Quote", "After"]);
    let with_marks = html_to_text("<div>a\u{E000}b\u{E001}c</div>");
    assert_eq!(lines(&with_marks), ["abc"]);
    for text in [unclosed, stray, mis_nested, with_marks] {
        assert!(!text.contains([OPEN, CLOSE]), "{text:?}");
    }
}

#[test]
fn a_self_closing_div_opens_nothing() {
    let html = r#"<div class="moz-cite-prefix"/><div>Reply</div>"#;
    assert_eq!(lines(&html_to_text(html)), ["Reply"]);
}

#[test]
fn a_deep_nesting_stops_growing_its_prefix() {
    let depth = 10_000;
    let html = format!(
        "{}deep{}",
        "<blockquote>".repeat(depth),
        "</blockquote>".repeat(depth)
    );
    let text = html_to_text(&html);
    let deep = text.lines().find(|l| l.ends_with("deep")).unwrap();
    assert_eq!(deep, format!("{}deep", "> ".repeat(MAX_PREFIX_LEVELS)));
    assert!(text.len() < 100, "{}", text.len());
}

/// Hostile HTML is read in one pass: a comment, script or tag left unclosed runs to the end
/// (as in a browser), and end tags that close no quote cost nothing. Each of these took time
/// in proportion to the square of its length before (20,000 unclosed comments: seconds).
#[test]
fn hostile_html_is_read_in_one_pass() {
    let n = 20_000;
    for unclosed in [
        "<!--<div>x",
        "<script><div>x",
        "<STYLE><blockquote>x",
        "<div x",
    ] {
        let html = format!("<div>Before.</div>{}", unclosed.repeat(n));
        assert_eq!(lines(&html_to_text(&html)), ["Before."], "{unclosed}");
    }
    let html = format!(
        "{}{}<div>after</div>",
        "<blockquote>q".repeat(n),
        "</div>".repeat(n)
    );
    let text = html_to_text(&html);
    assert_eq!(text.lines().last(), Some("> > > > > > > > after"));
    assert_eq!(text.lines().filter(|l| l.ends_with('q')).count(), n);
}

#[test]
fn an_outlook_for_mac_reply_section_is_quoted_history() {
    for container in [
        r#"<div name="messageReplySection">"#,
        r#"<div id="mail-editor-reference-message-container">"#,
    ] {
        let html = format!(
            r#"<div class="elementToProof">Friday at ten suits us.</div>{container}<div>On 3 March, Mira Olsen wrote, more or less:</div><div>Could we meet this week about the renewal?</div></div>"#
        );
        assert_eq!(stored(&html), "Friday at ten suits us.", "{container}");
    }
}

#[test]
fn a_space_after_a_bold_label_stays_in_the_text() {
    let html = r#"<p class="MsoNormal"><b>From:</b> Mira Olsen &lt;mira@northwind.test&gt;<br><b>Sent:</b> Tuesday, 3 March 2026 10:12</p>"#;
    assert_eq!(
        lines(&html_to_text(html)),
        [
            "From: Mira Olsen <mira@northwind.test>",
            "Sent: Tuesday, 3 March 2026 10:12"
        ]
    );
}
