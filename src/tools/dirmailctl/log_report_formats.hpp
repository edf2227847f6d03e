#pragma once
// dirmailctl log report's outputs: text for a terminal, CSV for scripts (one figure a
// row), and one self-contained HTML file (inline CSS and SVG charts, no script, nothing
// fetched) for a browser.
#include <cstddef>
#include <iosfwd>

#include "log_report.hpp"

namespace dirmail::ctl {

// top: how many names each per-name table shows (senders, recipients, domains, users).
void write_report_text(const LogReport& report, std::size_t top, std::ostream& out);
// Columns date,figure,name,value; RFC 4180 quoting.
void write_report_csv(const LogReport& report, std::size_t top, std::ostream& out);
void write_report_html(const LogReport& report, std::size_t top, std::ostream& out);

}  // namespace dirmail::ctl
