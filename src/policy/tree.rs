//! The role tree as Mesos's hierarchical sorter sees it: one definition for
//! the allocator's role sorter (`master::sorting`) and the ideal fair
//! shares (`metrics::fairness`), so that the virtual `role/.` rule cannot
//! drift apart between what the allocator does and what the metrics call
//! fair.

use crate::RoleId;

/// Each role's child roles and the top-level roles, in role order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleTree {
    parent: Vec<Option<RoleId>>,
    children: Vec<Vec<RoleId>>,
    top: Vec<RoleId>,
}

/// A node of one level of the sorter's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A role's whole subtree.
    Role(RoleId),
    /// The virtual leaf `role/.`: the role's own clients, when the role is
    /// also the parent of other roles with clients (weight 1, as in Mesos's
    /// sorter, while the role's configured weight applies to its subtree).
    OwnLeaf(RoleId),
}

impl RoleTree {
    /// The tree of roles given by their parents (a parent comes before its
    /// children, as `scenario::model` numbers them).
    pub fn new(parents: impl IntoIterator<Item = Option<RoleId>>) -> RoleTree {
        let parent: Vec<Option<RoleId>> = parents.into_iter().collect();
        let mut children = vec![Vec::new(); parent.len()];
        let mut top = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match p {
                Some(p) => children[p.index()].push(RoleId(i as u32)),
                None => top.push(RoleId(i as u32)),
            }
        }
        RoleTree {
            parent,
            children,
            top,
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    pub fn parent(&self, role: RoleId) -> Option<RoleId> {
        self.parent[role.index()]
    }

    /// The child roles of `parent`, or the top-level roles for `None`.
    pub fn children(&self, parent: Option<RoleId>) -> &[RoleId] {
        match parent {
            Some(p) => &self.children[p.index()],
            None => &self.top,
        }
    }

    /// `role`, its parent, and so on up to its top-level role.
    pub fn ancestors_and_self(&self, role: RoleId) -> impl Iterator<Item = RoleId> + '_ {
        std::iter::successors(Some(role), |r| self.parent[r.index()])
    }

    /// One level of the sorter's tree under `parent` (the top level for
    /// `None`): the child roles whose subtree holds clients (`live`), in
    /// role order, then the virtual leaf `parent/.` if `parent` has clients
    /// of its own (`own`) and at least one live child. When no child is
    /// live the level is empty: the role is itself a leaf of the level
    /// above.
    pub fn level(
        &self,
        parent: Option<RoleId>,
        live: impl Fn(RoleId) -> bool,
        own: impl Fn(RoleId) -> bool,
    ) -> Vec<Node> {
        self.level_iter(parent, live, own).collect()
    }

    /// [`RoleTree::level`] without collecting it.
    pub fn level_iter<'a>(
        &'a self,
        parent: Option<RoleId>,
        live: impl Fn(RoleId) -> bool + 'a,
        own: impl Fn(RoleId) -> bool + 'a,
    ) -> impl Iterator<Item = Node> + 'a {
        let children = self.children(parent);
        let mut any_live = false;
        let mut roles = children.iter().copied().filter(move |&c| live(c));
        let mut leaf = parent.filter(|&p| own(p));
        std::iter::from_fn(move || match roles.next() {
            Some(c) => {
                any_live = true;
                Some(Node::Role(c))
            }
            None if any_live => leaf.take().map(Node::OwnLeaf),
            None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_virtual_leaf_rule() {
        // 0 = eng, 1 = eng/a, 2 = eng/b, 3 = ops
        let t = RoleTree::new([None, Some(RoleId(0)), Some(RoleId(0)), None]);
        assert_eq!(t.children(None), &[RoleId(0), RoleId(3)]);
        let ancestors: Vec<RoleId> = t.ancestors_and_self(RoleId(2)).collect();
        assert_eq!(ancestors, vec![RoleId(2), RoleId(0)]);
        let all = |_: RoleId| true;
        // eng has clients of its own and live children: a `eng/.` leaf.
        assert_eq!(
            t.level(Some(RoleId(0)), all, all),
            vec![
                Node::Role(RoleId(1)),
                Node::Role(RoleId(2)),
                Node::OwnLeaf(RoleId(0))
            ]
        );
        // Only eng/b live: still a leaf for eng's own clients.
        assert_eq!(
            t.level(Some(RoleId(0)), |r| r == RoleId(2), all),
            vec![Node::Role(RoleId(2)), Node::OwnLeaf(RoleId(0))]
        );
        // No live child: the level is empty (eng is a leaf itself).
        assert_eq!(t.level(Some(RoleId(0)), |_| false, all), vec![]);
        // The top level never has a virtual leaf.
        assert_eq!(
            t.level(None, |r| r == RoleId(3), all),
            vec![Node::Role(RoleId(3))]
        );
    }
}
