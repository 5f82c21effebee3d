//! Dates as mail clients print them in forwarded headers, in many languages:
//! "Sun, Nov 22, 2026 at 6:12 PM", "quinta-feira, 19 de novembro de 2026 10:15",
//! "Dienstag, 17. November 2026 11:45", "20/11/2026 16:40", "28 października 2021 o 12:46",
//! "2022年9月19日 17:55".
//!
//! Month names and their inflections come from some thirty languages; a name that means
//! different months in two of them ("listopada": November in Polish, October in Croatian)
//! is not guessed, and the date is left unread (the caller falls back to the mail's own).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Month names per language, January first, one language (or inflection) a line, with the
/// inflected forms dates use.
const MONTH_NAMES: &[&str] = &[
    // English
    "january february march april may june july august september october november december",
    // Portuguese
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    // Spanish
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    // German
    "januar februar märz april mai juni juli august september oktober november dezember",
    // Dutch
    "januari februari maart april mei juni juli augustus september oktober november december",
    // French
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    // Italian
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    // Swedish
    "januari februari mars april maj juni juli augusti september oktober november december",
    // Danish
    "januar februar marts april maj juni juli august september oktober november december",
    // Norwegian
    "januar februar mars april mai juni juli august september oktober november desember",
    // Polish
    "styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień",
    // Polish, genitive ("26 października")
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    // Czech
    "leden únor březen duben květen červen červenec srpen září říjen listopad prosinec",
    // Czech, genitive
    "ledna února března dubna května června července srpna září října listopadu prosince",
    // Slovak
    "január február marec apríl máj jún júl august september október november december",
    // Slovak, genitive
    "januára februára marca apríla mája júna júla augusta septembra októbra novembra decembra",
    // Slovenian
    "januar februar marec april maj junij julij avgust september oktober november december",
    // Serbian (Latin)
    "januar februar mart april maj jun jul avgust septembar oktobar novembar decembar",
    // Serbian (Cyrillic)
    "јануар фебруар март април мај јун јул август септембар октобар новембар децембар",
    // Hungarian
    "január február március április május június július augusztus szeptember október november december",
    // Romanian
    "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
    // Turkish
    "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
    // Russian
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
    // Russian, genitive
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    // Ukrainian
    "січень лютий березень квітень травень червень липень серпень вересень жовтень листопад грудень",
    // Ukrainian, genitive
    "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    // Bulgarian
    "януари февруари март април май юни юли август септември октомври ноември декември",
    // Greek
    "ιανουάριος φεβρουάριος μάρτιος απρίλιος μάιος ιούνιος ιούλιος αύγουστος σεπτέμβριος οκτώβριος νοέμβριος δεκέμβριος",
    // Greek, genitive
    "ιανουαρίου φεβρουαρίου μαρτίου απριλίου μαΐου ιουνίου ιουλίου αυγούστου σεπτεμβρίου οκτωβρίου νοεμβρίου δεκεμβρίου",
    // Estonian
    "jaanuar veebruar märts aprill mai juuni juuli august september oktoober november detsember",
    // Latvian
    "janvāris februāris marts aprīlis maijs jūnijs jūlijs augusts septembris oktobris novembris decembris",
    // Latvian, locative ("3. decembrī")
    "janvārī februārī martā aprīlī maijā jūnijā jūlijā augustā septembrī oktobrī novembrī decembrī",
    // Lithuanian, genitive ("gruodžio 3 d.")
    "sausio vasario kovo balandžio gegužės birželio liepos rugpjūčio rugsėjo spalio lapkričio gruodžio",
    // Catalan
    "gener febrer març abril maig juny juliol agost setembre octubre novembre desembre",
    // Indonesian
    "januari februari maret april mei juni juli agustus september oktober november desember",
    // Malay
    "januari februari mac april mei jun julai ogos september oktober november disember",
    // Croatian
    "siječanj veljača ožujak travanj svibanj lipanj srpanj kolovoz rujan listopad studeni prosinac",
    // Croatian, genitive
    "siječnja veljače ožujka travnja svibnja lipnja srpnja kolovoza rujna listopada studenoga prosinca",
    // Hebrew
    "ינואר פברואר מרץ אפריל מאי יוני יולי אוגוסט ספטמבר אוקטובר נובמבר דצמבר",
    // Arabic
    "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
    // Persian (the Gregorian months)
    "ژانویه فوریه مارس آوریل مه ژوئن ژوئیه اوت سپتامبر اکتبر نوامبر دسامبر",
    THAI_MONTH_NAMES,
    // Hindi
    "जनवरी फ़रवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्तूबर नवंबर दिसंबर",
    // Hindi, other spellings
    "जनवरी फरवरी मार्च अप्रेल मई जून जुलाई अगस्त सितम्बर अक्टूबर नवम्बर दिसम्बर",
    // Bengali
    "জানুয়ারী ফেব্রুয়ারী মার্চ এপ্রিল মে জুন জুলাই আগস্ট সেপ্টেম্বর অক্টোবর নভেম্বর ডিসেম্বর",
    // Bengali, other spellings
    "জানুয়ারি ফেব্রুয়ারি মার্চ এপ্রিল মে জুন জুলাই অগাস্ট সেপ্টেম্বর অক্টোবর নভেম্বর ডিসেম্বর",
    // Tamil
    "ஜனவரி பிப்ரவரி மார்ச் ஏப்ரல் மே ஜூன் ஜூலை ஆகஸ்ட் செப்டம்பர் அக்டோபர் நவம்பர் டிசம்பர்",
];

/// Thai month names, January first ([`MONTH_NAMES`]' Thai line; their abbreviations, such as
/// "ธ.ค.", are [`THAI_ABBREVIATIONS`]).
const THAI_MONTH_NAMES: &str =
    "มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม";

/// Thai month abbreviations, January first: dotted, so they are replaced by the full name
/// before the text is cut into words.
const THAI_ABBREVIATIONS: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

/// The first code point (zero) of each run of decimal digits that clients print dates in:
/// Arabic-Indic, Persian, Devanagari, Bengali, Tamil, Thai and full-width digits.
const DIGIT_ZEROS: [char; 7] = [
    '\u{0660}', '\u{06F0}', '\u{0966}', '\u{09E6}', '\u{0BE6}', '\u{0E50}', '\u{FF10}',
];

/// A year of the Thai solar calendar (Buddhist Era) is 543 years ahead of the Gregorian:
/// Thai clients print 2569 for 2026.
const BUDDHIST_ERA_OFFSET: i32 = 543;
const FIRST_BUDDHIST_ERA_YEAR: u32 = 2400;

/// Month names read only when the whole word matches: Finnish names start with what other
/// languages abbreviate ("mar" would be November's "marraskuu").
const MONTH_NAMES_EXACT_ONLY: &[&str] = &[
    // Finnish
    "tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu marraskuu joulukuu",
    // Finnish, partitive ("26. lokakuuta")
    "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta elokuuta syyskuuta lokakuuta marraskuuta joulukuuta",
    // Finnish, Gmail's abbreviations ("ke 27. lokak. 2021")
    "tammik helmik maalisk huhtik toukok kesäk heinäk elok syysk lokak marrask jouluk",
];

/// [`MONTH_NAMES`], each line's twelve names.
static MONTHS: LazyLock<Vec<Vec<&'static str>>> = LazyLock::new(|| split_names(MONTH_NAMES));
/// [`MONTH_NAMES_EXACT_ONLY`], each line's twelve names.
static MONTHS_EXACT_ONLY: LazyLock<Vec<Vec<&'static str>>> =
    LazyLock::new(|| split_names(MONTH_NAMES_EXACT_ONLY));

fn split_names(lines: &[&'static str]) -> Vec<Vec<&'static str>> {
    lines
        .iter()
        .map(|line| line.split_whitespace().collect())
        .collect()
}

/// A time of day, with its half of the day: "a.m."/"p.m." or Greek "π.μ."/"μ.μ." after it,
/// Chinese, Japanese or Korean morning and afternoon words before it ("下午3:21", "午後3:21",
/// "오후 3:21"). The hour starts at an ASCII word boundary, so a CJK word may touch it.
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:(?P<before>上午|下午|午前|午後|오전|오후)\s*)?(?-u:\b)(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})",
        r"(?:[:.](?P<second>\d{2}))?\s*(?P<after>a\.?m\.?|p\.?m\.?|π\.\s?μ\.|μ\.\s?μ\.)?"
    ))
    .expect("valid regex")
});
/// A zone offset: "GMT+1", "UTC+05:30", or "+0100" after a blank or a bracket (the "-2026"
/// of "3-mar-2026" is the year, not a zone).
static OFFSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:gmt|utc)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b",
        r"|(?:(?:gmt|utc)\s*|(?:^|[\s(]))([+-])(\d{2}):?(\d{2})\b"
    ))
    .expect("valid regex")
});
static UTC_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:gmt|utc|z)\b").expect("valid regex"));

/// An RFC 5322 date ("Wed, 3 Nov 2021 15:51:30 +0100"): English month abbreviation between
/// the day and the year, then the time.
static RFC5322_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:[a-z]{3},\s*)?\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d{2,4}\s+\d{1,2}:\d{2}",
    )
    .expect("the RFC 5322 date pattern is valid")
});

/// A forwarded date: RFC 5322 when it has that shape (and no "GMT+1"-style zone), else a
/// client layout read in `zone`.
/// mail-parser's reader is lenient: given "26. října 2021 14:25" or "17 août 2022 à 09:06"
/// it returns a date in another month, so only RFC 5322's shape goes to it.
pub fn parse_forwarded_date(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    // mail-parser reads "GMT+1" as GMT and "UTC-5" as two hours off: a zone named with an
    // offset is read below.
    let named_offset = || {
        OFFSET
            .captures(text)
            .is_some_and(|caps| caps.get(1).is_some())
    };
    let rfc5322 = || {
        (RFC5322_DATE.is_match(text) && !named_offset()).then(|| {
            mail_parser::DateTime::parse_rfc822(text.trim())
                .as_ref()
                .and_then(super::parse::to_utc)
        })
    };
    rfc5322()
        .flatten()
        .or_else(|| parse_client_date(text, zone))
}

/// Reads a client-printed date; a date without an offset is read in `zone`.
pub fn parse_client_date(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text =
        with_thai_months_spelled_out(&ascii_digits(text)).replace(['\u{202f}', '\u{a0}'], " ");
    let text = without_ordinals(&text);
    let (time, rest) = take_time(&text);
    let (offset, rest) = take_offset(&rest);
    let naive = read_day(&rest)?.and_time(time.unwrap_or_default());
    match offset {
        Some(offset) => offset
            .from_local_datetime(&naive)
            .single()
            .map(|d| d.with_timezone(&Utc)),
        None => zone
            .from_local_datetime(&naive)
            .earliest()
            .map(|d| d.with_timezone(&Utc)),
    }
}

/// A day's ordinal ending ("March 3rd", Proton's dates; French "1er mars"), or the "T"
/// between an ISO 8601 date and its time ("2026-03-03T10:21:05+0100").
static ORDINAL_OR_ISO_T: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th|er)\b|(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d)")
        .expect("valid regex")
});

/// The text with days written as plain numbers and ISO 8601's "T" as a blank.
fn without_ordinals(text: &str) -> Cow<'_, str> {
    ORDINAL_OR_ISO_T.replace_all(text, |caps: &regex::Captures<'_>| match caps.name("day") {
        Some(day) => day.as_str().to_string(),
        None => format!("{} {}", &caps["date"], &caps["hour"]),
    })
}

/// The text with digits of other scripts ("۳ دسامبر ۲۰۲۶", "๓ ธันวาคม ๒๕๖๙") as ASCII digits.
fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| {
            DIGIT_ZEROS
                .iter()
                .find_map(|&zero| {
                    let value = (c as u32).checked_sub(zero as u32).filter(|v| *v < 10)?;
                    char::from_digit(value, 10)
                })
                .unwrap_or(c)
        })
        .collect()
}

/// The text with Thai dotted month abbreviations ("3 ธ.ค. 2569") as the months' names.
fn with_thai_months_spelled_out(text: &str) -> String {
    let mut text = text.to_string();
    if text.contains('.') && text.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)) {
        for (abbreviation, name) in THAI_ABBREVIATIONS.iter().zip(THAI_MONTH_NAMES.split(' ')) {
            text = text.replace(abbreviation, &format!(" {name} "));
        }
    }
    text
}

fn take_time(text: &str) -> (Option<NaiveTime>, String) {
    let found = TIME.captures_iter(text).find(|caps| {
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        !is_part_of_a_numeric_date(text, whole)
    });
    let Some(caps) = found else {
        return (None, text.to_string());
    };
    let number = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let mut hour = number("hour").unwrap_or(0);
    let half = caps
        .name("after")
        .or(caps.name("before"))
        .map(|m| m.as_str());
    match half.map(is_afternoon) {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let time = NaiveTime::from_hms_opt(
        hour,
        number("minute").unwrap_or(0),
        number("second").unwrap_or(0),
    );
    let whole = caps.get(0).map_or(0..0, |m| m.range());
    (
        time,
        format!("{} {}", &text[..whole.start], &text[whole.end..]),
    )
}

/// Whether a half-of-day word of [`TIME`] says afternoon: "p.m.", "μ.μ.", "下午", "午後", "오후".
fn is_afternoon(half: &str) -> bool {
    let half = half.to_lowercase();
    half.starts_with('p')
        || half.starts_with("μ")
        || ["下午", "午後", "오후"].contains(&half.as_str())
}

/// Whether the digits at `range` are two numbers of a numeric date ("2.03" in "2.03.2026",
/// "3.20" in "2.3.2026"), not a time: a digit, or a separator and a digit, right after them,
/// or a digit and a separator right before.
fn is_part_of_a_numeric_date(text: &str, range: std::ops::Range<usize>) -> bool {
    let after = &text.as_bytes()[range.end..];
    let before = &text.as_bytes()[..range.start];
    let separator = |b: u8| matches!(b, b'.' | b'/' | b'-');
    let digit_after = after.first().is_some_and(u8::is_ascii_digit)
        || (after.first().copied().is_some_and(separator)
            && after.get(1).is_some_and(u8::is_ascii_digit));
    let digit_before = before.last().copied().is_some_and(separator)
        && before.len() >= 2
        && before[before.len() - 2].is_ascii_digit();
    digit_after || digit_before
}

fn take_offset(text: &str) -> (Option<FixedOffset>, String) {
    if let Some(caps) = OFFSET.captures(text) {
        // "GMT+1" and "UTC+05:30" (groups 1-3), or "+0100" (groups 4-6).
        let group = |short: usize| caps.get(short).or_else(|| caps.get(short + 3));
        let number = |i: usize| group(i).map_or(0, |m| m.as_str().parse::<i32>().unwrap_or(0));
        let (hours, minutes) = (number(2), number(3));
        let sign = if group(1).is_some_and(|m| m.as_str() == "-") {
            -1
        } else {
            1
        };
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        let rest = format!("{} {}", &text[..whole.start], &text[whole.end..]);
        return (
            FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)),
            rest,
        );
    }
    if UTC_WORD.is_match(text) {
        return (
            FixedOffset::east_opt(0),
            UTC_WORD.replace_all(text, " ").into_owned(),
        );
    }
    let zone = ZONE_NAME.find(text).and_then(|found| {
        let (_, minutes) = ZONE_NAMES
            .iter()
            .find(|(name, _)| *name == found.as_str())?;
        Some((found, *minutes))
    });
    if let Some((found, minutes)) = zone {
        let rest = format!("{} {}", &text[..found.start()], &text[found.end()..]);
        return (FixedOffset::east_opt(minutes * 60), rest);
    }
    (None, text.to_string())
}

/// Zone abbreviations that name one offset wherever they are used (not "CST", China's and
/// the US's, nor "IST", India's, Ireland's and Israel's), in minutes east of UTC.
const ZONE_NAMES: &[(&str, i32)] = &[
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("MEZ", 60),
    ("SEČ", 60),
    ("CEST", 120),
    ("MESZ", 120),
    ("SELČ", 120),
    ("EET", 120),
    ("SAST", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("SGT", 480),
    ("HKT", 480),
    ("JST", 540),
    ("KST", 540),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("EST", -300),
    ("EDT", -240),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
];

/// One of [`ZONE_NAMES`] as a whole word (upper case, as clients print them).
static ZONE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<&str> = ZONE_NAMES.iter().map(|(name, _)| *name).collect();
    Regex::new(&format!(r"\b(?:{})\b", names.join("|"))).expect("valid regex")
});

/// The calendar day: a month name with a day and year, or a numeric date.
fn read_day(text: &str) -> Option<NaiveDate> {
    let lower = text.to_lowercase().replace(CJK_DATE_MARKS, " ");
    // Letters with their combining marks: Thai and Indic vowel signs are part of the word.
    let words: Vec<&str> = WORD.find_iter(&lower).map(|m| m.as_str()).collect();
    let numbers: Vec<u32> = words.iter().filter_map(|w| w.parse().ok()).collect();
    match month_in(&words) {
        Named::Month(month) => {
            let year = numbers.iter().copied().find(|n| *n >= 1900)?;
            let day = numbers.iter().copied().find(|n| (1..=31).contains(n))?;
            NaiveDate::from_ymd_opt(gregorian(year), month, day)
        }
        Named::Ambiguous => None,
        Named::None => numeric_day(&numbers),
    }
}

/// A word of a date: letters, combining marks and digits.
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{M}\p{N}]+").expect("valid regex"));

/// The Gregorian year of a printed year (a Buddhist Era year is moved back).
fn gregorian(year: u32) -> i32 {
    match year >= FIRST_BUDDHIST_ERA_YEAR {
        true => year as i32 - BUDDHIST_ERA_OFFSET,
        false => year as i32,
    }
}

/// Chinese and Japanese 年/月/日 and Korean 년/월/일 between a date's numbers.
const CJK_DATE_MARKS: [char; 6] = ['年', '月', '日', '년', '월', '일'];

/// What a word says of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Month(u32),
    /// A name of different months in different languages.
    Ambiguous,
    None,
}

/// The month named among the words: the one between the day's number and the year when
/// several words could be one (French "mar." is Tuesday in "mar. 26 oct. 2021"), else one
/// next to the day's number, else the first.
fn month_in(words: &[&str]) -> Named {
    let number = |i: usize| words.get(i).and_then(|w| w.parse::<u32>().ok());
    let is_day = |i: usize| number(i).is_some_and(|n| (1..=31).contains(&n));
    let is_year = |i: usize| number(i).is_some_and(|n| n >= 1900);
    let next_to = |i: usize, test: &dyn Fn(usize) -> bool| test(i + 1) || (i > 0 && test(i - 1));
    let named: Vec<(usize, Named)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (i, month_named(w)))
        .filter(|(_, named)| *named != Named::None)
        .collect();
    let by_day_and_year = named
        .iter()
        .find(|(i, _)| next_to(*i, &is_day) && next_to(*i, &is_year));
    let by_day = || named.iter().find(|(i, _)| next_to(*i, &is_day));
    by_day_and_year
        .or_else(by_day)
        .or(named.first())
        .map_or(Named::None, |(_, named)| *named)
}

/// The month a word names: an exact name in any language, else every name it abbreviates
/// (three letters at least); `Ambiguous` when those are different months ("listopada" is
/// November in Polish and October in Croatian, "lip" July and June). Hebrew writes "in" as
/// a prefix ("בדצמבר").
fn month_named(word: &str) -> Named {
    let word = word.trim_end_matches('.');
    let exact = MONTHS
        .iter()
        .chain(MONTHS_EXACT_ONLY.iter())
        .flat_map(|names| names.iter().zip(1..).filter(|(name, _)| **name == word));
    match agreed(exact.map(|(_, month)| month)) {
        Named::None => {}
        found => return found,
    }
    if word.chars().count() >= 3 {
        let prefixed = MONTHS
            .iter()
            .flat_map(|names| names.iter().zip(1..))
            .filter(|(name, _)| name.starts_with(word));
        match agreed(prefixed.map(|(_, month)| month)) {
            Named::None => {}
            found => return found,
        }
    }
    match word.strip_prefix('ב') {
        Some(rest) if rest.chars().count() >= 3 => month_named(rest),
        _ => Named::None,
    }
}

/// The month all of these name; `Ambiguous` when they differ, `None` when there are none.
fn agreed(mut months: impl Iterator<Item = u32>) -> Named {
    let Some(first) = months.next() else {
        return Named::None;
    };
    if months.all(|month| month == first) {
        Named::Month(first)
    } else {
        Named::Ambiguous
    }
}

/// `2026-11-20`, `20/11/2026` (day first, unless the second number is over 12): the two
/// numbers next to a four-digit year, so a weekday's number before them ("Th 5, 3 thg 12,
/// 2026") is not read as the day.
fn numeric_day(numbers: &[u32]) -> Option<NaiveDate> {
    let year_at = numbers.iter().position(|n| *n >= 1900);
    let (a, b, year) = match year_at {
        Some(0) => {
            let [month, day] = numbers.get(1..3)?.try_into().ok()?;
            return NaiveDate::from_ymd_opt(gregorian(numbers[0]), month, day);
        }
        Some(at) if at >= 2 => (numbers[at - 2], numbers[at - 1], gregorian(numbers[at])),
        Some(_) => return None,
        None => {
            let [a, b, c] = numbers.get(..3)?.try_into().ok()?;
            (a, b, if c < 100 { c + 2000 } else { c } as i32)
        }
    };
    let (day, month) = if b > 12 { (b, a) } else { (a, b) };
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_numeric_date_with_short_parts_is_not_read_as_the_time() {
        let utc_zone = chrono_tz::UTC;
        for text in [
            "2.3.2026 10:12",
            "пн, 2.03.2026 г. в 10:12",
            "2/3/2026 10:12",
            "ma 2.3.2026 klo 10.12",
        ] {
            assert_eq!(
                parse_forwarded_date(text, utc_zone),
                Some(utc("2026-03-02T10:12:00Z")),
                "{text}"
            );
        }
    }

    #[test]
    fn an_rfc5322_date_with_a_zone_named_by_its_offset_keeps_the_offset() {
        let utc_zone = chrono_tz::UTC;
        let cases = [
            ("Mon, 2 Mar 2026 10:12:00 GMT+1", "2026-03-02T09:12:00Z"),
            ("2 Mar 2026 10:12 UTC-5", "2026-03-02T15:12:00Z"),
            ("Mon, 2 Mar 2026 10:12:00 +0100", "2026-03-02T09:12:00Z"),
            ("Mon, 2 Mar 2026 10:12:00 GMT", "2026-03-02T10:12:00Z"),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_forwarded_date(text, utc_zone),
                Some(utc(want)),
                "{text}"
            );
        }
    }

    #[test]
    fn dates_in_client_layouts_and_languages_are_read() {
        let lisbon = chrono_tz::Europe::Lisbon;
        let berlin = chrono_tz::Europe::Berlin;
        let cases = [
            (
                "Sun, Nov 22, 2026 at 6:12 PM",
                lisbon,
                "2026-11-22T18:12:00Z",
            ),
            (
                "Friday, November 20, 2026 4:40 PM",
                berlin,
                "2026-11-20T15:40:00Z",
            ),
            (
                "16 November 2026 at 14:05:33 GMT",
                berlin,
                "2026-11-16T14:05:33Z",
            ),
            (
                "quinta-feira, 19 de novembro de 2026 10:15",
                lisbon,
                "2026-11-19T10:15:00Z",
            ),
            (
                "sábado, 21/11/2026 à(s) 10:15",
                lisbon,
                "2026-11-21T10:15:00Z",
            ),
            (
                "Dienstag, 17. November 2026 11:45",
                berlin,
                "2026-11-17T10:45:00Z",
            ),
            (
                "donderdag 19 november 2026 08:52",
                berlin,
                "2026-11-19T07:52:00Z",
            ),
            ("ven. 20 nov. 2026 à 09:30", lisbon, "2026-11-20T09:30:00Z"),
            ("2026-11-20 16:40 +0100", lisbon, "2026-11-20T15:40:00Z"),
            ("20 Nov 2026 16:40 GMT+1", lisbon, "2026-11-20T15:40:00Z"),
            ("20 Nov 2026 16:40 UTC+1", lisbon, "2026-11-20T15:40:00Z"),
            ("20 Nov 2026 16:40 (GMT-3)", lisbon, "2026-11-20T19:40:00Z"),
            (
                "20 Nov 2026 16:40 GMT+05:30",
                lisbon,
                "2026-11-20T11:10:00Z",
            ),
        ];
        for (text, zone, expected) in cases {
            assert_eq!(parse_client_date(text, zone), Some(utc(expected)), "{text}");
        }
    }

    #[test]
    fn month_names_in_more_languages_and_their_inflections_are_read() {
        let cases = [
            ("26 października 2021 o 14:25:08", "2021-10-26T14:25:08Z"),
            ("śr., 27 paź 2021 o 09:31", "2021-10-27T09:31:00Z"),
            ("úterý 2. listopadu 2021 09:26:50", "2021-11-02T09:26:50Z"),
            ("štvrtok, 28. októbra 2021, 12:46", "2021-10-28T12:46:00Z"),
            (
                "четверг, 28 октября 2021 г. в 12:46",
                "2021-10-28T12:46:00Z",
            ),
            ("ср, 27 жовт. 2021 о 09:31", "2021-10-27T09:31:00Z"),
            ("27 Eki 2021 Çar, 09:31", "2021-10-27T09:31:00Z"),
            ("csütörtök, 2021. október 28. 12:46", "2021-10-28T12:46:00Z"),
            (
                "torstaina, 28. lokakuuta 2021 klo 12.06",
                "2021-10-28T12:06:00Z",
            ),
            ("ke 27. lokak. 2021 klo 9.31", "2021-10-27T09:31:00Z"),
            ("marți, 2 noiembrie 2021, 09:26:50", "2021-11-02T09:26:50Z"),
            ("K, 27. oktoober 2021 kell 09:31", "2021-10-27T09:31:00Z"),
            ("Πέμπτη, 3 Δεκεμβρίου 2026 10:15", "2026-12-03T10:15:00Z"),
            ("3 בדצמבר 2026 10:15", "2026-12-03T10:15:00Z"),
            ("2022年9月19日月曜日 17:55:44", "2022-09-19T17:55:44Z"),
            ("2026년 12월 3일 (목) 10:15", "2026-12-03T10:15:00Z"),
            ("Th 5, 3 thg 12, 2026 10:15", "2026-12-03T10:15:00Z"),
            ("mar. 26 oct. 2021 à 14:25", "2021-10-26T14:25:00Z"),
            ("Mar 3, 2026, 10:15", "2026-03-03T10:15:00Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_client_date(text, chrono_tz::UTC),
                Some(utc(expected)),
                "{text}"
            );
        }
    }

    #[test]
    fn every_line_of_month_names_has_twelve() {
        for names in MONTHS.iter().chain(MONTHS_EXACT_ONLY.iter()) {
            assert_eq!(names.len(), 12, "{names:?}");
        }
    }

    #[test]
    fn zone_abbreviations_with_one_meaning_give_their_offset() {
        let berlin = chrono_tz::Europe::Berlin;
        let cases = [
            ("26 October 2021 at 14:25:08 EEST", "2021-10-26T11:25:08Z"),
            ("16 July 2021 at 19:24:14 CEST", "2021-07-16T17:24:14Z"),
            (
                "úterý 2. listopadu 2021 09:26:50 SEČ",
                "2021-11-02T08:26:50Z",
            ),
            ("02/10/2023 4:52 PM EST", "2023-10-02T21:52:00Z"),
            // "CST" names two zones: the configured zone is used.
            ("3 December 2026 10:15 CST", "2026-12-03T09:15:00Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_client_date(text, berlin),
                Some(utc(expected)),
                "{text}"
            );
        }
    }

    #[test]
    fn thai_and_indic_month_names_native_digits_and_buddhist_years_are_read() {
        let cases = [
            ("วันพฤหัสบดีที่ 3 ธันวาคม 2026 10:15", "2026-12-03T10:15:00Z"),
            ("3 ธันวาคม 2569 เวลา 10:15", "2026-12-03T10:15:00Z"),
            ("พฤ. 3 ธ.ค. 2569 10:15", "2026-12-03T10:15:00Z"),
            ("13 ก.พ. 2026 09:05", "2026-02-13T09:05:00Z"),
            ("๓ มีนาคม ๒๕๖๙ ๑๐:๑๕", "2026-03-03T10:15:00Z"),
            ("गुरुवार, 3 दिसंबर 2026 10:15 am", "2026-12-03T10:15:00Z"),
            ("सोम, 7 फ़र॰ 2026 को 4:05 pm", "2026-02-07T16:05:00Z"),
            ("৩ ডিসেম্বর, ২০২৬ ১০:১৫", "2026-12-03T10:15:00Z"),
            ("வியாழன், 3 டிசம்பர், 2026 10:15", "2026-12-03T10:15:00Z"),
            ("پنجشنبه ۳ دسامبر ۲۰۲۶ ساعت ۱۰:۱۵", "2026-12-03T10:15:00Z"),
            ("๓/๑๒/๒๕๖๙ ๑๐:๑๕", "2026-12-03T10:15:00Z"),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_client_date(text, chrono_tz::UTC),
                Some(utc(want)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_month_name_of_different_months_in_two_languages_is_not_guessed() {
        // "listopada": November in Polish, October in Croatian; "lip": July and June.
        for text in [
            "wtorek, 2 listopada 2021, 09:26:50",
            "26. listopada 2021. u 14:25:08",
            "sri, 27. lis 2021. u 09:31",
            "3. lip 2026. u 10:15",
        ] {
            assert_eq!(parse_client_date(text, chrono_tz::UTC), None, "{text}");
        }
    }

    #[test]
    fn forwarded_dates_of_the_ninth_round_clients_are_read() {
        let cases = [
            ("2026年2月12日(星期四) 下午3:40", "2026-02-12T15:40:00Z"),
            ("2026年2月12日(木) 午後3:40", "2026-02-12T15:40:00Z"),
            ("2026年2月12日 上午9:40", "2026-02-12T09:40:00Z"),
            ("2026년 2월 12일 (목) 오후 3:40", "2026-02-12T15:40:00Z"),
            (
                "Πέμπτη, 12 Φεβρουαρίου 2026 3:40 μ.μ.",
                "2026-02-12T15:40:00Z",
            ),
            (
                "On Thursday, February 12th, 2026 at 9:40 AM",
                "2026-02-12T09:40:00Z",
            ),
            ("jeudi 1er octobre 2026 09:40", "2026-10-01T09:40:00Z"),
            ("12-feb-2026 9.40", "2026-02-12T09:40:00Z"),
            ("2026-02-12T09:40:12+0100", "2026-02-12T08:40:12Z"),
            ("Thu, 12 Feb 2026 09:40 (+0100)", "2026-02-12T08:40:00Z"),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_client_date(text, chrono_tz::UTC),
                Some(utc(want)),
                "{text}"
            );
        }
    }

    #[test]
    fn text_without_a_date_is_none() {
        assert_eq!(
            parse_client_date("yesterday afternoon", chrono_tz::UTC),
            None
        );
        assert_eq!(parse_client_date("", chrono_tz::UTC), None);
        assert_eq!(parse_client_date("31/02/2026", chrono_tz::UTC), None);
    }
}
