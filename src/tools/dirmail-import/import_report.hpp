#pragma once
// What dirmail-import says about a run: a text report for the administrator (every
// row with its outcome and reason, then the totals) and the same as JSON for scripts.
// Generated passwords are never in either: they go to the --passwords-out file only.
#include <string>

#include "dirmail/migration/soft_account_import.hpp"

namespace dirmail::import_tool {

std::string format_text_report(const migration::ImportSummary& summary);
std::string format_json_report(const migration::ImportSummary& summary);
// One line: "200 accounts: 190 created, ...; 812 messages copied (3.2 MB), 0 already there"
std::string format_totals(const migration::ImportSummary& summary);
}  // namespace dirmail::import_tool
