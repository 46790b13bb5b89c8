//! The window's side of the library: taking in what the library's store work answered
//! (collections, what a change did, the filter menus' counts), and asking for the counts
//! again when the filter, the jobs or their likes changed.

use super::MjdeskApp;
use super::command::UiCommand;
use super::library::LibraryNews;
use crate::store::JobFilter;

impl MjdeskApp {
    /// Takes in how the export under way is going.
    pub(super) fn poll_export(&mut self) {
        for news in self.bulk.poll() {
            self.state.export.apply(news);
        }
    }

    /// Drains the library's answers.
    pub(super) fn poll_library(&mut self) {
        let Some(run) = self.engine.running() else { return };
        while let Some(news) = run.library.try_recv() {
            match news {
                LibraryNews::Collections(Ok(collections)) => {
                    let shown = self.state.list.filter().collection;
                    if shown.is_some_and(|id| !collections.iter().any(|c| c.id == id)) {
                        // the collection shown is gone: show every job
                        let all = JobFilter { collection: None, ..self.state.list.filter().clone() };
                        self.commands.push(UiCommand::Filter(all));
                    }
                    self.panels.collections.collections = collections;
                    self.panels.collections.read_error = None;
                }
                LibraryNews::Collections(Err(e)) => {
                    self.panels.collections.read_error = Some(crate::textsafe::one_line(&e.to_string()).into_owned());
                }
                LibraryNews::Changed { change, result } => {
                    if result.is_ok() {
                        // a collection's jobs changed: the list (if it shows one) and the
                        // counts are read again
                        self.state.list.reload();
                        self.state.facets.stale();
                    }
                    self.panels.collections.heard(change, result);
                }
                LibraryNews::Rows { filter, ids } => match ids {
                    // a range chosen under another filter is dropped
                    Ok(ids) if &filter == self.state.list.filter() => self.panels.jobs.selection.add(ids),
                    Ok(_) => {}
                    Err(e) => self.state.message = Some(crate::textsafe::one_line(&e.to_string()).into_owned()),
                },
                LibraryNews::Facets { generation, counts } => {
                    let counts = counts.map_err(|e| crate::textsafe::one_line(&e.to_string()).into_owned());
                    self.state.facets.answered(generation, counts);
                }
            }
        }
        if let Some((generation, filter)) = self.state.facets.wanted(self.state.list.filter()) {
            run.library.facets(generation, filter);
        }
    }
}
