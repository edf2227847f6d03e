#include "dirmail/migration/soft_account_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::migration {
namespace {

using Kind = RowProblem::Kind;

Kind row_kind(FieldProblem::Kind kind) {
  switch (kind) {
    case FieldProblem::Kind::empty_account: return Kind::empty_account;
    case FieldProblem::Kind::invalid_account: return Kind::invalid_account;
    case FieldProblem::Kind::invalid_domain: return Kind::invalid_domain;
    case FieldProblem::Kind::field_too_long: return Kind::field_too_long;
    case FieldProblem::Kind::control_character: return Kind::control_character;
    case FieldProblem::Kind::invalid_utf8: return Kind::encoding;
    case FieldProblem::Kind::invalid_flag: return Kind::invalid_flag;
    case FieldProblem::Kind::invalid_limit: return Kind::invalid_limit;
  }
  return Kind::encoding;
}

// The UTF-8 size limit of each field. Decoding never makes text shorter (CP932's one
// and two bytes become one to three of UTF-8), so a raw field over it is too long
// before it is decoded.
constexpr std::array<std::size_t, soft_account_field_count> field_limits = {
    max_account_bytes,     max_password_bytes, max_full_name_bytes, max_domain_bytes,
    max_home_folder_bytes, max_limit_digits,   max_limit_digits,    max_limit_digits};

// One non-empty line (without its line end) into `out`, or why not. `describe`: build
// the reason (not for problems past the listed ones: a 64 MiB file of bad lines has
// millions).
std::optional<RowProblem> read_row(std::string_view line, ExportEncoding encoding, bool describe, SoftAccount& out) {
  auto problem = [&](Kind kind, auto&& reason) {
    return RowProblem{0, kind, describe ? std::string(reason()) : std::string()};
  };
  if (auto nul = line.find('\0'); nul != std::string_view::npos) {
    return problem(Kind::nul_byte, [&] {
      auto field = static_cast<std::size_t>(std::count(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(nul), '\t'));
      return "a NUL byte" + (field < soft_account_field_count ? " in " + field_label(field) : std::string());
    });
  }
  // Empty fields past the eighth (trailing TABs) do not count.
  auto tabs = static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t'));
  while (tabs >= soft_account_field_count && line.ends_with('\t')) {
    line.remove_suffix(1);
    --tabs;
  }
  if (tabs + 1 != soft_account_field_count) {
    return problem(Kind::field_count, [&] {
      std::string hint = tabs == 0 && line.find(',') != std::string_view::npos
                             ? " (no TAB: the export is TAB-separated, not comma-separated)"
                             : "";
      return fmt::format("{} field{}; an account line has {}: {}{}", tabs + 1, tabs == 0 ? "" : "s",
                         soft_account_field_count, fmt::join(soft_account_field_names, ", "), hint);
    });
  }
  std::array<std::string, soft_account_field_count> text;
  for (std::size_t i = 0; i < soft_account_field_count; ++i) {
    auto tab = std::min(line.find('\t'), line.size());
    std::string_view field = line.substr(0, tab);
    line.remove_prefix(std::min(tab + 1, line.size()));
    if (field.size() > field_limits[i]) {
      return problem(Kind::field_too_long, [&] {
        return fmt::format("{} is {} bytes long; the limit is {}", field_label(i), field.size(), field_limits[i]);
      });
    }
    auto decoded = decode_export_text(field, encoding);
    if (!decoded) {
      return problem(Kind::encoding, [&] { return fmt::format("{} is not valid {}", field_label(i), to_string(encoding)); });
    }
    text[i] = std::move(*decoded);
  }
  if (auto p = soft_account_from_fields(text, out)) return RowProblem{0, row_kind(p->kind), std::move(p->reason)};
  return std::nullopt;
}

void find_conflicts(SoftAccountFile& file) {
  std::unordered_map<std::string, std::vector<std::size_t>> rows_by_name;
  std::vector<std::string> order;  // names in the order of their first row
  for (std::size_t i = 0; i < file.rows.size(); ++i) {
    auto [it, fresh] = rows_by_name.try_emplace(account_key(file.rows[i].account.account));
    if (fresh) order.push_back(it->first);
    it->second.push_back(i);
  }
  for (const auto& name : order) {
    const auto& rows = rows_by_name[name];
    if (rows.size() < 2) continue;
    AccountConflict conflict;
    conflict.account = file.rows[rows.front()].account.account;
    for (std::size_t i : rows) {
      auto& row = file.rows[i];
      row.conflict = true;
      conflict.lines.push_back(row.line);
      conflict.domains.push_back(row.account.domain);
      if (domain_key(row.account.domain) != domain_key(conflict.domains.front())) conflict.across_domains = true;
    }
    file.conflicts.push_back(std::move(conflict));
  }
}

}  // namespace

std::string_view to_string(RowProblem::Kind kind) {
  switch (kind) {
    case Kind::field_count: return "field_count";
    case Kind::encoding: return "encoding";
    case Kind::nul_byte: return "nul_byte";
    case Kind::empty_account: return "empty_account";
    case Kind::invalid_account: return "invalid_account";
    case Kind::invalid_domain: return "invalid_domain";
    case Kind::field_too_long: return "field_too_long";
    case Kind::control_character: return "control_character";
    case Kind::invalid_flag: return "invalid_flag";
    case Kind::invalid_limit: return "invalid_limit";
  }
  return "unknown";
}

std::string format_row_problem(const RowProblem& problem) {
  return fmt::format("line {}: {}", problem.line, problem.reason);
}

std::string format_conflict(const AccountConflict& conflict) {
  std::vector<std::string> where;
  for (std::size_t i = 0; i < conflict.lines.size(); ++i) {
    where.push_back(fmt::format("{} ({})", conflict.lines[i],
                                conflict.domains[i].empty() ? "no domain" : escape_control(conflict.domains[i])));
  }
  return fmt::format("{} is on lines {}: {}", escape_control(conflict.account), fmt::join(where, ", "),
                     conflict.across_domains ? "AD has one account for all mail domains"
                                             : "the same account twice in one domain");
}

Result<SoftAccountFile> read_soft_accounts(std::string_view content, const ReadOptions& options) {
  if (content.size() > max_export_file_bytes) {
    return make_error(ErrorCode::limit_exceeded, fmt::format("the export is {} bytes; the limit is {}",
                                                             content.size(), max_export_file_bytes));
  }
  auto decision = decide_export_encoding(content, options.encoding);
  if (!decision) return std::move(decision).error();
  SoftAccountFile file;
  file.encoding = std::move(*decision);
  if (file.encoding.bom) content.remove_prefix(utf8_bom.size());
  std::size_t pos = 0;
  while (pos < content.size()) {
    auto end = content.find('\n', pos);
    std::string_view line = content.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? content.size() : end + 1;
    ++file.lines;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    SoftAccount account;
    const bool listed = file.problems.size() < max_listed_problems;
    if (auto problem = read_row(line, file.encoding.encoding, listed, account)) {
      problem->line = file.lines;
      if (listed) {
        file.problems.push_back(std::move(*problem));
      } else {
        ++file.unlisted_problems;
      }
      continue;
    }
    if (file.rows.size() == max_export_accounts) {
      return make_error(ErrorCode::limit_exceeded,
                        fmt::format("the export has more than {} accounts (line {})", max_export_accounts, file.lines));
    }
    file.rows.push_back(SoftAccountRow{file.lines, std::move(account), false});
  }
  find_conflicts(file);
  return file;
}

Result<SoftAccountFile> read_soft_account_file(const std::string& path, const ReadOptions& options) {
  auto fd = posix::open_file(path, O_RDONLY | O_CLOEXEC);
  if (!fd) return std::move(fd).error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return errno_error("fstat", path, errno);
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::invalid_argument, path + " is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_export_file_bytes) {
    return make_error(ErrorCode::limit_exceeded,
                      fmt::format("{} is {} bytes; the limit is {}", path, st.st_size, max_export_file_bytes));
  }
  // One byte more than fstat said, so that a file that grew past the limit since is
  // still refused by read_soft_accounts.
  auto content = posix::pread_up_to(fd->get(), 0, static_cast<std::size_t>(st.st_size) + 1, path);
  if (!content) return std::move(content).error();
  auto file = read_soft_accounts(*content, options);
  if (!file) {
    auto error = std::move(file).error();
    error.message = path + ": " + error.message;
    return error;
  }
  return file;
}

}  // namespace dirmail::migration
