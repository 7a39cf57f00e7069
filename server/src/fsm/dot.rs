//! The machine drawn as Graphviz, generated from [`TRANSITIONS`] so the picture cannot
//! drift from the code (`nagrel fsm --dot | dot -Tsvg > fsm.svg`).

use std::fmt;

use super::state::State;
use super::table::TRANSITIONS;

/// The connection machine as a Graphviz `digraph`: one node per state (the proxy
/// sub-machine in `subgraph cluster_proxy`, the initial state bold, the terminal state a
/// double circle) and one edge per transition, labelled with the event's Mongrel2 name.
///
/// The output depends only on the table, so it is the same on every call.
///
/// # Example
///
/// ```
/// use nagrel_server::fsm::{dot, TRANSITIONS};
///
/// let graph = dot();
/// assert!(graph.contains("digraph connection {"));
/// assert!(graph.contains("\"Idle\" -> \"Identifying\" [label=\"REQ_RECV\"];"));
/// assert_eq!(graph.lines().filter(|l| l.contains(" -> ")).count(), TRANSITIONS.len());
/// ```
pub fn dot() -> String {
    Graph.to_string()
}

/// The drawing, written by its `Display`.
struct Graph;

impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "// The nagrel connection state machine.")?;
        writeln!(
            f,
            "// Generated from nagrel_server::fsm::TRANSITIONS; edit the table, not this."
        )?;
        writeln!(f, "digraph connection {{")?;
        writeln!(f, "    rankdir=LR;")?;
        writeln!(
            f,
            "    node [shape=box, style=rounded, fontname=\"Helvetica\"];"
        )?;
        writeln!(f, "    edge [fontname=\"Helvetica\", fontsize=10];")?;
        for state in State::ALL.into_iter().filter(|s| !s.in_proxy()) {
            node(f, state, "    ")?;
        }
        writeln!(f, "    subgraph cluster_proxy {{")?;
        writeln!(f, "        label=\"Proxy\";")?;
        writeln!(f, "        style=dashed;")?;
        for state in State::ALL.into_iter().filter(|s| s.in_proxy()) {
            node(f, state, "        ")?;
        }
        writeln!(f, "    }}")?;
        for row in TRANSITIONS {
            writeln!(
                f,
                "    \"{}\" -> \"{}\" [label=\"{}\"];",
                row.from.name(),
                row.to.name(),
                row.event.name()
            )?;
        }
        writeln!(f, "}}")
    }
}

/// One node line, styled when the state is the initial or the terminal one.
fn node(f: &mut fmt::Formatter<'_>, state: State, indent: &str) -> fmt::Result {
    let style = if state == State::INITIAL {
        " [shape=box, style=\"rounded,bold\", penwidth=2]"
    } else if state.is_terminal() {
        " [shape=doublecircle]"
    } else {
        ""
    };
    writeln!(f, "{indent}\"{}\"{style};", state.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    #[test]
    fn every_transition_is_one_edge_line() {
        let graph = dot();
        let edges: Vec<&str> = graph.lines().filter(|l| l.contains(" -> ")).collect();
        assert_eq!(edges.len(), TRANSITIONS.len());
        for (row, line) in TRANSITIONS.iter().zip(&edges) {
            let expected = format!(
                "\"{}\" -> \"{}\" [label=\"{}\"];",
                row.from, row.to, row.event
            );
            assert_eq!(line.trim(), expected);
        }
    }

    #[test]
    fn braces_balance_and_the_graph_is_one_block() {
        let graph = dot();
        let mut depth = 0usize;
        let mut closed_at_zero = 0;
        for c in graph.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.checked_sub(1).expect("a `}` without its `{`");
                    if depth == 0 {
                        closed_at_zero += 1;
                    }
                }
                _ => {}
            }
        }
        assert_eq!(depth, 0);
        assert_eq!(closed_at_zero, 1, "one top-level digraph block");
        assert_eq!(
            graph.lines().filter(|l| l.starts_with("digraph ")).count(),
            1
        );
        assert!(graph.trim_end().ends_with('}'));
    }

    #[test]
    fn every_state_is_declared_once_and_proxy_states_sit_in_the_cluster() {
        let graph = dot();
        let cluster_start = graph.find("subgraph cluster_proxy {").expect("cluster");
        let cluster_end = cluster_start + graph[cluster_start..].find('}').expect("end");
        for state in State::ALL {
            let declaration = format!("\"{}\"", state.name());
            let mut declared = Vec::new();
            let mut offset = 0;
            for line in graph.split_inclusive('\n') {
                if !line.contains(" -> ") && line.trim_start().starts_with(&declaration) {
                    declared.push(offset);
                }
                offset += line.len();
            }
            assert_eq!(declared.len(), 1, "{state} declared once");
            let inside = (cluster_start..cluster_end).contains(&declared[0]);
            assert_eq!(inside, state.in_proxy(), "{state} in the proxy cluster");
        }
    }

    #[test]
    fn initial_and_terminal_states_are_styled() {
        let graph = dot();
        assert!(graph.contains("\"Start\" [shape=box, style=\"rounded,bold\", penwidth=2];"));
        assert!(graph.contains("\"Closed\" [shape=doublecircle];"));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(dot(), dot());
    }

    /// With Graphviz installed, `dot` itself must accept the graph; skipped without it.
    #[test]
    fn graphviz_accepts_it_when_installed() {
        let child = Command::new("dot")
            .arg("-Tcanon")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("graphviz `dot` not installed: skipping");
            return;
        };
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(dot().as_bytes()).expect("write to dot");
        }
        let output = child.wait_with_output().expect("dot runs");
        assert!(
            output.status.success(),
            "dot rejected the graph: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
