#include "dirmail/migration/soft_account_writer.hpp"

#include <array>
#include <optional>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::migration {
namespace {

// The account's line (with its end), or why it cannot be written.
std::optional<std::string> format_line(const SoftAccount& a, const WriteOptions& options, std::string& why) {
  if (auto problem = check_soft_account(a)) {
    why = std::move(problem->reason);
    return std::nullopt;
  }
  const std::array<const std::string*, 5> text = {&a.account, &a.password, &a.full_name, &a.domain, &a.home_folder};
  std::string line;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto bytes = encode_export_text(*text[i], options.encoding);
    if (!bytes) {
      why = fmt::format("{} has a character {} cannot hold exactly", field_label(i), to_string(options.encoding));
      return std::nullopt;
    }
    line += *bytes;
    line += '\t';
  }
  line += fmt::format("{}\t{}\t{}", a.smtp_auth ? 1 : 0, a.apop ? 1 : 0, a.mailbox_limit);
  line += options.crlf ? "\r\n" : "\n";
  return line;
}

}  // namespace

SoftAccountExport write_soft_accounts(std::span<const SoftAccount> accounts, const WriteOptions& options) {
  SoftAccountExport out;
  if (options.bom && options.encoding == ExportEncoding::utf8) out.content = utf8_bom;
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    std::string why;
    if (auto line = format_line(accounts[i], options, why)) {
      out.content += *line;
      ++out.written;
    } else {
      std::string name = escape_control(std::string_view(accounts[i].account).substr(0, max_account_bytes));
      out.problems.push_back(WriteProblem{i, std::move(name), std::move(why)});
    }
  }
  return out;
}

}  // namespace dirmail::migration
