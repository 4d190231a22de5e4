//! DHIS2 data exchange: mappings, the shapes of every export, imports (all or nothing,
//! dry run, strategies, ignored unchanged values, approved values refused), the
//! endpoint's sign-in, the LBP round trip into an empty programme, a PyPI DHIS2 client
//! against a listening server, and `mipaka dhis2 push` between two servers.

mod api;
mod exchange;
mod live;

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use mipaka::db::DbConn;
use mipaka::dhis2::mapping::{self, Input, Mappings};
use mipaka::models::audit::Actor;
use mipaka::models::programme::Programme;

pub fn actor(c: &mut DbConn, name: &str) -> Actor {
    let u = mipaka::models::user::by_username(c, name).unwrap().unwrap();
    Actor {
        user_id: Some(u.id),
        name: u.username,
    }
}

pub fn programme(c: &mut DbConn, code: &str) -> Programme {
    mipaka::models::programme::by_code(c, code).unwrap()
}

/// A made-up but well-formed DHIS2 UID for `s`.
pub fn uid(s: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    let n = h.finish();
    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        .chars()
        .collect();
    let mut out = String::from("x");
    let mut v = n;
    for _ in 0..10 {
        out.push(alphabet[(v % 62) as usize]);
        v /= 62;
        if v == 0 {
            v = n.rotate_left(17) | 1;
        }
    }
    out
}

/// Maps every indicator, part, category and the programme, with codes and UIDs
/// (counties keep their KNBS codes, given UIDs too); `aoc` is the programme's code.
pub fn map_all(c: &mut DbConn, p: &Programme, aoc: &str) {
    let m = Mappings::load(c, p).unwrap();
    let mut inputs = Vec::new();
    for it in &m.items {
        let (code, uid) = match it.kind {
            "data_element" => (format!("DE_{}", it.item), uid(&format!("de{}", it.item))),
            "org_unit" => (it.item.clone(), uid(&format!("ou{}", it.item))),
            "coc" if it.item.is_empty() => continue,
            "coc" => (
                format!("COC_{}", it.item.replace('=', "_")),
                uid(&format!("coc{}", it.item)),
            ),
            "aoc" => (aoc.to_string(), uid(&format!("aoc{aoc}"))),
            "adx_category" => (it.item.to_uppercase(), String::new()),
            "adx_option" => (
                it.item.split_once('=').unwrap().1.to_uppercase(),
                String::new(),
            ),
            _ => continue,
        };
        inputs.push(Input {
            at: format!("{} {}", it.kind, it.item),
            kind: it.kind.into(),
            item: it.item.clone(),
            code,
            uid,
        });
    }
    let who = actor(c, "manager");
    let saved = mapping::save(c, &who, p, m.version, &inputs, false, mipaka::clock::now()).unwrap();
    mapping::into_result(saved).unwrap();
}

/// (indicator code, period, county code, part) → (value, comment) of a programme's
/// values, of one status or all.
pub fn figures(
    c: &mut DbConn,
    p: &Programme,
    status: Option<&str>,
) -> BTreeMap<(String, String, String, String), (f64, String)> {
    mipaka::models::values::export_rows(c, p.id)
        .unwrap()
        .into_iter()
        .filter(|(v, ..)| status.is_none_or(|s| v.status == s))
        .map(|(v, ind, county, _)| {
            (
                (ind, v.period.clone(), county, v.disaggregation.clone()),
                (v.value, v.comment.clone().unwrap_or_default()),
            )
        })
        .collect()
}
