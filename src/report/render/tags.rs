//! The logical structure of a report (ISO 32000-1 14.7–14.8, "tagged PDF"): what a
//! screen reader walks instead of the stream of positioned text. Layout builds the
//! tree as it places blocks and marks which drawn items belong to which element;
//! everything it does not mark (rules, fills, running header and footer) is an
//! artifact. The PDF writer then numbers the marked runs (MCIDs) and writes the tree.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object, ObjectId};

/// A standard structure type, so that no role map is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Document,
    H1,
    H2,
    H3,
    P,
    Table,
    TR,
    /// A header cell, heading its column or its row.
    TH(Scope),
    TD,
    Figure,
    Caption,
    Toc,
    Toci,
    Link,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Column,
    Row,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH(_) => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Caption => "Caption",
            Role::Toc => "TOC",
            Role::Toci => "TOCI",
            Role::Link => "Link",
        }
    }

    pub(crate) fn heading(level: u8) -> Role {
        match level {
            1 => Role::H1,
            2 => Role::H2,
            _ => Role::H3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub role: Role,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Alternative text: what a figure shows, said in words.
    pub alt: Option<String>,
    /// A figure's box on its page (left, top, right, bottom in layout points).
    pub bbox: Option<[f32; 4]>,
}

/// The structure tree; node 0 is the `Document` element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            nodes: vec![Node {
                role: Role::Document,
                parent: None,
                children: Vec::new(),
                alt: None,
                bbox: None,
            }],
        }
    }
}

impl Tree {
    pub(crate) const ROOT: usize = 0;

    /// Adds an element as the last child of `parent`.
    pub(crate) fn add(&mut self, parent: usize, role: Role) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            role,
            parent: Some(parent),
            children: Vec::new(),
            alt: None,
            bbox: None,
        });
        self.nodes[parent].children.push(id);
        id
    }

    /// Every element in reading order (depth first), with its depth, for tests.
    #[cfg(test)]
    pub(crate) fn walk(&self) -> Vec<(usize, &Node)> {
        fn go<'a>(t: &'a Tree, i: usize, d: usize, out: &mut Vec<(usize, &'a Node)>) {
            out.push((d, &t.nodes[i]));
            for &c in &t.nodes[i].children {
                go(t, c, d + 1, out);
            }
        }
        let mut out = Vec::new();
        go(self, Self::ROOT, 0, &mut out);
        out
    }
}

/// A box in layout points (left, top, right, bottom; y down) as a PDF rectangle
/// (y up from the foot of a page `page_h` tall).
pub(crate) fn rect([l, t, r, b]: [f32; 4], page_h: f32) -> Object {
    Object::Array(
        [l, page_h - b, r, page_h - t]
            .into_iter()
            .map(Object::Real)
            .collect(),
    )
}

/// Where a marked run of content landed: page index and its MCID there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pub page: usize,
    pub mcid: i64,
}

/// An annotation that belongs to a structure element (a link's clickable area), with
/// its page and its key in the parent tree (its /StructParent).
pub(crate) struct Annotation {
    pub node: usize,
    pub id: ObjectId,
    pub page: usize,
    pub key: i64,
}

/// Writes the tree into `lo`: the elements, the parent tree and the catalog entries
/// that declare the file tagged. `marks[n]` are node n's marked runs in drawing order;
/// `page_ids` are the page objects in order; `annotations` are keyed after the pages.
pub(crate) fn write(
    lo: &mut lopdf::Document,
    tree: &Tree,
    marks: &[Vec<Mark>],
    annotations: &[Annotation],
    page_ids: &[ObjectId],
    page_h: f32,
    text: impl Fn(&str) -> Object,
) -> ObjectId {
    let root_id = lo.new_object_id();
    let ids: Vec<ObjectId> = tree.nodes.iter().map(|_| lo.new_object_id()).collect();
    // Per page, MCID → element: the parent tree a reader uses to go from content to
    // structure.
    let mut by_page: BTreeMap<usize, BTreeMap<i64, ObjectId>> = BTreeMap::new();
    for (n, node) in tree.nodes.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"StructElem".to_vec()));
        d.set("S", Object::Name(node.role.name().as_bytes().to_vec()));
        d.set(
            "P",
            Object::Reference(node.parent.map_or(root_id, |p| ids[p])),
        );
        let mut kids: Vec<Object> = node
            .children
            .iter()
            .map(|&c| Object::Reference(ids[c]))
            .collect();
        // The element's page is its first run's; a run on that page is its bare MCID,
        // a run on a later page (a paragraph or table continued) a full reference.
        // Most elements are one cell's run, so this halves the tree.
        let home = marks
            .get(n)
            .and_then(|m| m.first())
            .and_then(|first| page_ids.get(first.page).map(|&id| (first.page, id)));
        if let Some((_, page)) = home {
            d.set("Pg", Object::Reference(page));
        }
        for m in marks.get(n).into_iter().flatten() {
            let Some(&page) = page_ids.get(m.page) else {
                continue;
            };
            if home.is_some_and(|(at, _)| at == m.page) {
                kids.push(Object::Integer(m.mcid));
            } else {
                let mut r = Dictionary::new();
                r.set("Type", Object::Name(b"MCR".to_vec()));
                r.set("Pg", Object::Reference(page));
                r.set("MCID", Object::Integer(m.mcid));
                kids.push(Object::Dictionary(r));
            }
            by_page.entry(m.page).or_default().insert(m.mcid, ids[n]);
        }
        for a in annotations.iter().filter(|a| a.node == n) {
            let mut r = Dictionary::new();
            r.set("Type", Object::Name(b"OBJR".to_vec()));
            r.set("Obj", Object::Reference(a.id));
            if let Some(&page) = page_ids.get(a.page) {
                r.set("Pg", Object::Reference(page));
            }
            kids.push(Object::Dictionary(r));
        }
        match kids.len() {
            1 => d.set("K", kids.remove(0)),
            _ => d.set("K", Object::Array(kids)),
        }
        if let Some(alt) = &node.alt {
            d.set("Alt", text(alt));
        }
        let mut attributes = Dictionary::new();
        match node.role {
            Role::TH(scope) => {
                attributes.set("O", Object::Name(b"Table".to_vec()));
                let s: &[u8] = match scope {
                    Scope::Column => b"Column",
                    Scope::Row => b"Row",
                };
                attributes.set("Scope", Object::Name(s.to_vec()));
            }
            Role::Figure => {
                if let Some(bbox) = node.bbox {
                    attributes.set("O", Object::Name(b"Layout".to_vec()));
                    attributes.set("BBox", rect(bbox, page_h));
                    attributes.set("Placement", Object::Name(b"Block".to_vec()));
                }
            }
            _ => {}
        }
        if !attributes.is_empty() {
            d.set("A", Object::Dictionary(attributes));
        }
        lo.objects.insert(ids[n], Object::Dictionary(d));
    }

    let mut nums = Vec::new();
    for (page, mcids) in &by_page {
        nums.push(Object::Integer(*page as i64));
        // MCIDs run 0, 1, 2 … on each page, so the array's index is the MCID.
        nums.push(Object::Array(
            mcids.values().map(|&id| Object::Reference(id)).collect(),
        ));
    }
    for a in annotations {
        nums.push(Object::Integer(a.key));
        nums.push(Object::Reference(ids[a.node]));
    }
    let mut parent_tree = Dictionary::new();
    parent_tree.set("Nums", Object::Array(nums));
    let parent_tree_id = lo.add_object(parent_tree);

    let mut root = Dictionary::new();
    root.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
    root.set("K", Object::Array(vec![Object::Reference(ids[Tree::ROOT])]));
    root.set("ParentTree", Object::Reference(parent_tree_id));
    let next_key = annotations
        .iter()
        .map(|a| a.key + 1)
        .max()
        .unwrap_or(0)
        .max(page_ids.len() as i64);
    root.set("ParentTreeNextKey", Object::Integer(next_key));
    lo.objects.insert(root_id, Object::Dictionary(root));

    for (i, &page) in page_ids.iter().enumerate() {
        if let Ok(Object::Dictionary(d)) = lo.get_object_mut(page) {
            d.set("StructParents", Object::Integer(i as i64));
            // Tab order follows the structure.
            d.set("Tabs", Object::Name(b"S".to_vec()));
        }
    }
    root_id
}
