#include "dirmail/imap/message_summary.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "dirmail/base/header_fields.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/imap/envelope.hpp"
#include <optional>

namespace dirmail::imap {
namespace {

constexpr std::string_view magic = "DMS1 ";
constexpr std::uint64_t max_number = std::uint64_t{1} << 50;  // no message is larger: sums cannot overflow

// Numbers are decimal and end with a space; strings are "<length>:<bytes>"; an absent
// optional string is "-".
class SummaryWriter {
 public:
  explicit SummaryWriter(std::string& out) : out_(out) {}
  void number(std::uint64_t n) {
    out_.append(std::to_string(n));
    out_.push_back(' ');
  }
  void string(std::string_view s) {
    out_.append(std::to_string(s.size()));
    out_.push_back(':');
    out_.append(s);
  }
  void optional(const std::optional<std::string>& s) {
    if (s) string(*s);
    else out_.push_back('-');
  }
  void params(const ContentParams& params) {
    number(params.size());
    for (const auto& [name, value] : params) {
      string(name);
      string(value);
    }
  }
  void part(const MimePart& p) {
    for (std::uint64_t n : {p.header_offset, p.header_size, p.body_offset, p.body_size, p.body_lines}) number(n);
    const ContentFields& f = p.fields;
    string(f.type.type);
    string(f.type.subtype);
    params(f.type.params);
    optional(f.id);
    optional(f.description);
    optional(f.md5);
    optional(f.location);
    string(f.encoding);
    if (f.disposition) {
      out_.push_back('+');
      string(f.disposition->type);
      params(f.disposition->params);
    } else {
      out_.push_back('-');
    }
    number(f.languages.size());
    for (const auto& l : f.languages) string(l);
    string(p.envelope);
    number(p.children.size());
    for (const auto& child : p.children) part(child);
  }

 private:
  std::string& out_;
};

class SummaryReader {
 public:
  explicit SummaryReader(std::string_view in) : in_(in) {}
  bool failed() const { return failed_; }
  bool at_end() const { return in_.empty(); }

  std::uint64_t number() {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(in_.data(), in_.data() + in_.size(), n);
    std::size_t used = static_cast<std::size_t>(end - in_.data());
    if (ec != std::errc() || used == 0 || used >= in_.size() || in_[used] != ' ' || n > max_number) return fail();
    in_.remove_prefix(used + 1);
    return n;
  }
  std::string string() {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(in_.data(), in_.data() + in_.size(), n);
    std::size_t used = static_cast<std::size_t>(end - in_.data());
    if (ec != std::errc() || used == 0 || used >= in_.size() || in_[used] != ':' || n > in_.size() - used - 1) {
      fail();
      return {};
    }
    std::string s(in_.substr(used + 1, static_cast<std::size_t>(n)));
    in_.remove_prefix(used + 1 + static_cast<std::size_t>(n));
    return s;
  }
  // '+' (present) or '-' (absent).
  bool present() {
    if (in_.empty() || (in_[0] != '+' && in_[0] != '-')) return fail() != 0;
    bool p = in_[0] == '+';
    in_.remove_prefix(1);
    return p;
  }
  std::optional<std::string> optional() {
    if (!in_.empty() && in_[0] == '-') {
      in_.remove_prefix(1);
      return std::nullopt;
    }
    return string();
  }
  ContentParams params() {
    ContentParams out;
    std::uint64_t n = number();
    if (n > max_content_params) {
      fail();
      return out;
    }
    for (std::uint64_t i = 0; i < n && !failed_; ++i) {
      auto name = string();
      auto value = string();
      out.emplace_back(std::move(name), std::move(value));
    }
    return out;
  }
  void part(MimePart& p, std::size_t depth) {
    if (depth > max_mime_depth || ++parts_ > max_mime_parts) {
      fail();
      return;
    }
    p.header_offset = number();
    p.header_size = number();
    p.body_offset = number();
    p.body_size = number();
    p.body_lines = number();
    ContentFields& f = p.fields;
    f.type.type = string();
    f.type.subtype = string();
    f.type.params = params();
    f.id = optional();
    f.description = optional();
    f.md5 = optional();
    f.location = optional();
    f.encoding = string();
    if (present()) {
      ContentDisposition d;
      d.type = string();
      d.params = params();
      f.disposition = std::move(d);
    }
    std::uint64_t languages = number();
    if (languages > max_content_params) fail();
    for (std::uint64_t i = 0; i < languages && !failed_; ++i) f.languages.push_back(string());
    p.envelope = string();
    std::uint64_t children = number();
    if (failed_ || children > max_mime_parts) {
      fail();
      return;
    }
    // Ranges nest and follow each other, as the parser makes them.
    if (p.header_offset + p.header_size != p.body_offset || p.body_lines > p.body_size) fail();
    std::uint64_t next = p.body_offset;
    for (std::uint64_t i = 0; i < children && !failed_; ++i) {
      MimePart& child = p.children.emplace_back();
      part(child, depth + 1);
      if (child.header_offset < next || child.body_offset + child.body_size > p.body_offset + p.body_size) fail();
      next = child.body_offset + child.body_size;
    }
  }

 private:
  std::uint64_t fail() {
    failed_ = true;
    in_ = {};
    return 0;
  }

  std::string_view in_;
  bool failed_ = false;
  std::size_t parts_ = 0;
};

}  // namespace

MessageSummary make_summary(MimePart structure, std::uint64_t total, std::string_view header) {
  MessageSummary s;
  s.structure = std::move(structure);
  s.structure_complete = true;
  s.total = total;
  std::vector<std::string> names(std::begin(summary_header_fields), std::end(summary_header_fields));
  s.fields = filter_header_fields(header, names, false);
  s.fields_complete = s.fields.size() <= max_summary_fields;
  if (!s.fields_complete) s.fields.clear();
  return s;
}

MessageSummary make_header_summary(std::string_view header, std::uint64_t header_size, std::uint64_t total) {
  MimePart root;
  root.header_size = std::min(header_size, total);
  root.body_offset = root.header_size;
  root.body_size = total - root.header_size;
  root.fields = content_fields(header, false);
  root.envelope = format_envelope(header);
  MessageSummary s = make_summary(std::move(root), total, header);
  s.structure_complete = false;
  return s;
}

bool summary_has_fields(std::span<const std::string> names) {
  return std::all_of(names.begin(), names.end(), [](const std::string& name) {
    return std::any_of(std::begin(summary_header_fields), std::end(summary_header_fields),
                       [&](std::string_view kept) { return iequals(kept, name); });
  });
}

std::string encode_summary(const MessageSummary& summary) {
  std::string out(magic);
  SummaryWriter w(out);
  w.number(summary.total);
  w.number(summary.fields_complete ? 1 : 0);
  w.number(summary.structure_complete ? 1 : 0);
  w.string(summary.fields);
  w.part(summary.structure);
  if (out.size() > max_summary_bytes) return {};
  return out;
}

Result<MessageSummary> decode_summary(std::string_view bytes) {
  if (bytes.size() > max_summary_bytes || !bytes.starts_with(magic)) {
    return make_error(ErrorCode::invalid_argument, "not a message summary of this version");
  }
  SummaryReader r(bytes.substr(magic.size()));
  MessageSummary s;
  s.total = r.number();
  std::uint64_t complete = r.number();
  s.fields_complete = complete == 1;
  std::uint64_t structure_complete = r.number();
  s.structure_complete = structure_complete == 1;
  s.fields = r.string();
  r.part(s.structure, 1);
  if (r.failed() || !r.at_end() || complete > 1 || structure_complete > 1 ||
      (!s.structure_complete && !s.structure.children.empty()) || s.fields.size() > max_summary_fields ||
      (!s.fields_complete && !s.fields.empty()) || s.structure.header_offset != 0 ||
      s.structure.body_offset + s.structure.body_size > s.total) {
    return make_error(ErrorCode::invalid_argument, "damaged message summary");
  }
  return s;
}

}  // namespace dirmail::imap
