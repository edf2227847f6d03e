// dirmailctl log report: reads every log file under log.dir (each service's folder,
// each node's file, rotated copies too) and writes the figures per UTC day as text,
// CSV or one HTML file. Damaged lines are counted and skipped, never fatal: a report
// over a torn or foreign log still shows what can be read.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <regex>
#include <memory>
#include <vector>

#include <zlib.h>

#include "command_words.hpp"
#include "commands.hpp"
#include "log_report.hpp"
#include "log_report_formats.hpp"

namespace dirmail::ctl {
namespace {

namespace fs = std::filesystem;

int usage(std::ostream& err) {
  err << "usage: dirmailctl log report [--dir DIR] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
         "                            [--format text|csv|html] [--top N] [--out FILE]\n";
  return 2;
}

// node.log, and rotated copies: node.1.log (spdlog's rotation), node.log.1 or, with
// logrotate's dateext, node.log-20261128; each perhaps compressed (.gz, as the packaged
// rotation compresses from the second copy on).
bool is_log_file(const fs::path& path) {
  static const std::regex name(R"(.+\.log(\.[0-9]+|-[0-9]{8})?(\.gz)?)");
  return std::regex_match(path.filename().string(), name);
}

bool valid_date(const std::string& d) {
  static const std::regex shape(R"([0-9]{4}-[0-9]{2}-[0-9]{2})");
  return std::regex_match(d, shape);
}

struct Period {
  std::string from, to;  // inclusive; empty: open
  bool contains(std::string_view date) const {
    return (from.empty() || date >= from) && (to.empty() || date <= to);
  }
};

void take_line(LogReport& report, const Period& period, std::string_view line, bool too_long) {
  ++report.lines;
  if (too_long) {
    ++report.skipped;
    ++report.skipped_by_reason["line too long"];
    return;
  }
  if (line.empty() || line == "\r") return;
  auto record = log::parse_log_record(line);
  if (!record) {
    ++report.skipped;
    ++report.skipped_by_reason[record.error().message];
    return;
  }
  if (!period.contains(record->date())) return;
  ++report.records;
  tally_record(report, *record);
}

// Reads lines with a bound: a line over the limit is dropped as it streams by, never
// held whole. zlib reads a gzip file decompressed and any other file as it is.
Result<void> read_log_file(const fs::path& path, const Period& period, LogReport& report) {
  std::unique_ptr<gzFile_s, decltype(&gzclose)> in(gzopen(path.c_str(), "rb"), &gzclose);
  if (!in) return make_error(ErrorCode::io_error, path.string() + ": cannot open");
  ++report.files;
  std::string line;
  bool too_long = false;
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    int got = gzread(in.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (got < 0) {
      int code = 0;
      return make_error(ErrorCode::io_error, path.string() + ": " + gzerror(in.get(), &code));
    }
    if (got == 0) {
      int code = 0;
      const char* why = gzerror(in.get(), &code);  // a truncated .gz ends early, with an error
      if (code != Z_OK) return make_error(ErrorCode::io_error, path.string() + ": " + why);
      break;
    }
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(got));
    while (!chunk.empty()) {
      auto nl = chunk.find('\n');
      std::string_view piece = chunk.substr(0, nl);
      if (!too_long) {
        if (line.size() + piece.size() > log::kMaxRecordLineBytes) {
          too_long = true;
          line.clear();
        } else {
          line.append(piece);
        }
      }
      if (nl == std::string_view::npos) break;
      take_line(report, period, line, too_long);
      line.clear();
      too_long = false;
      chunk.remove_prefix(nl + 1);
    }
  }
  if (!line.empty() || too_long) take_line(report, period, line, too_long);  // no final newline
  return {};
}

int report_command(const std::string& log_dir, const Args& args, std::ostream& out, std::ostream& err) {
  auto words = parse_words(args, {"--dir", "--from", "--to", "--format", "--top", "--out"}, {});
  if (!words) {
    err << "dirmailctl: " << words.error().message << "\n";
    return usage(err);
  }
  if (!words->positional.empty()) return usage(err);
  auto value = [&](const char* name, std::string fallback) {
    auto it = words->values.find(name);
    return it == words->values.end() ? fallback : it->second;
  };
  const std::string dir = value("--dir", log_dir);
  const std::string format = value("--format", "text");
  Period period{value("--from", ""), value("--to", "")};
  if (dir.empty()) {
    err << "dirmailctl: log.dir is empty (logs go to standard error only); give --dir\n";
    return 1;
  }
  for (const auto& date : {period.from, period.to}) {
    if (!date.empty() && !valid_date(date)) {
      err << "dirmailctl: \"" << date << "\" is not a date (YYYY-MM-DD)\n";
      return 2;
    }
  }
  if (format != "text" && format != "csv" && format != "html") {
    err << "dirmailctl: --format is text, csv or html, not \"" << format << "\"\n";
    return 2;
  }
  std::size_t top = 10;
  const std::string top_text = value("--top", "10");
  auto [end, ec] = std::from_chars(top_text.data(), top_text.data() + top_text.size(), top);
  if (ec != std::errc() || end != top_text.data() + top_text.size() || top == 0 || top > 10000) {
    err << "dirmailctl: --top is a number from 1 to 10000, not \"" << top_text << "\"\n";
    return 2;
  }

  std::error_code fs_error;
  if (!fs::is_directory(dir, fs_error)) {
    err << "dirmailctl: " << dir << ": not a folder\n";
    return 1;
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, fs_error), last; !fs_error && it != last; it.increment(fs_error))
    // Not through a symbolic link: the log folder belongs to the service's user, and
    // the report may run as root.
    if (it->symlink_status(fs_error).type() == fs::file_type::regular && is_log_file(it->path()))
      files.push_back(it->path());
  if (fs_error) {
    err << "dirmailctl: " << dir << ": " << fs_error.message() << "\n";
    return 1;
  }
  std::sort(files.begin(), files.end());
  LogReport report;
  for (const auto& file : files) {
    // A file that cannot be read (a damaged .gz) is skipped, as damaged lines are: the
    // report covers the rest, and says what it left out.
    if (auto read = read_log_file(file, period, report); !read)
      err << "dirmailctl: warning: skipped " << read.error().message << "\n";
  }

  std::ofstream file_out;
  const std::string out_path = value("--out", "");
  if (!out_path.empty()) {
    file_out.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file_out) {
      err << "dirmailctl: " << out_path << ": cannot write\n";
      return 1;
    }
  }
  std::ostream& sink = out_path.empty() ? out : file_out;
  if (format == "csv") write_report_csv(report, top, sink);
  else if (format == "html") write_report_html(report, top, sink);
  else write_report_text(report, top, sink);
  sink.flush();
  if (!sink) {
    err << "dirmailctl: " << (out_path.empty() ? "standard output" : out_path) << ": write failed\n";
    return 1;
  }
  if (files.empty()) err << "dirmailctl: no log files under " << dir << "\n";
  if (report.skipped > 0) err << "dirmailctl: " << report.skipped << " damaged lines skipped\n";
  return 0;
}

}  // namespace

int log_command(const std::string& log_dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "report") return usage(err);
  return report_command(log_dir, args, out, err);
}

bool log_command_needs_settings(const Args& args) {
  if (args.empty() || args[0] != "report") return false;  // a usage error, whatever the configuration
  return std::none_of(args.begin(), args.end(),
                      [](const std::string& a) { return a == "--dir" || a.starts_with("--dir="); });
}

}  // namespace dirmail::ctl
