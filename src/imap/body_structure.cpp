#include "dirmail/imap/body_structure.hpp"

#include <fmt/format.h>

#include "dirmail/imap/imap_string.hpp"

namespace dirmail::imap {
namespace {

void append_params(std::string& out, const ContentParams& params) {
  if (params.empty()) {
    out.append("NIL");
    return;
  }
  out.push_back('(');
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i) out.push_back(' ');
    append_string(out, params[i].first);
    out.push_back(' ');
    append_string(out, params[i].second);
  }
  out.push_back(')');
}

// Disposition, language and location: the extension data every part ends with.
void append_common_extensions(std::string& out, const ContentFields& f) {
  out.push_back(' ');
  if (f.disposition) {
    out.push_back('(');
    append_string(out, f.disposition->type);
    out.push_back(' ');
    append_params(out, f.disposition->params);
    out.push_back(')');
  } else {
    out.append("NIL");
  }
  out.push_back(' ');
  if (f.languages.empty()) {
    out.append("NIL");
  } else if (f.languages.size() == 1) {
    append_string(out, f.languages.front());
  } else {
    out.push_back('(');
    for (std::size_t i = 0; i < f.languages.size(); ++i) {
      if (i) out.push_back(' ');
      append_string(out, f.languages[i]);
    }
    out.push_back(')');
  }
  out.push_back(' ');
  append_nstring(out, f.location);
}

void append_part(std::string& out, const MimePart& part, bool extensible);

void append_multipart(std::string& out, const MimePart& part, bool extensible) {
  out.push_back('(');
  if (part.children.empty()) {
    // A multipart without parts (no boundary found) is not allowed by the grammar:
    // one empty text part stands in for them, as other servers do.
    out.append("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)");
  }
  for (const auto& child : part.children) append_part(out, child, extensible);
  out.push_back(' ');
  append_string(out, part.fields.type.subtype);
  if (extensible) {
    out.push_back(' ');
    append_params(out, part.fields.type.params);
    append_common_extensions(out, part.fields);
  }
  out.push_back(')');
}

void append_part(std::string& out, const MimePart& part, bool extensible) {
  const ContentFields& f = part.fields;
  if (f.type.multipart()) {
    append_multipart(out, part, extensible);
    return;
  }
  out.push_back('(');
  append_string(out, f.type.type);
  out.push_back(' ');
  append_string(out, f.type.subtype);
  out.push_back(' ');
  append_params(out, f.type.params);
  out.push_back(' ');
  append_nstring(out, f.id);
  out.push_back(' ');
  append_nstring(out, f.description);
  out.push_back(' ');
  append_string(out, f.encoding);
  out += fmt::format(" {}", part.body_size);
  if (f.type.message() && !part.children.empty()) {
    const MimePart& message = part.children.front();
    out.push_back(' ');
    out.append(message.envelope);
    out.push_back(' ');
    append_part(out, message, extensible);
    out += fmt::format(" {}", part.body_lines);
  } else if (f.type.type == "TEXT") {
    out += fmt::format(" {}", part.body_lines);
  }
  if (extensible) {
    out.push_back(' ');
    append_nstring(out, f.md5);
    append_common_extensions(out, f);
  }
  out.push_back(')');
}

}  // namespace

std::string format_body_structure(const MimePart& part, bool extensible) {
  std::string out;
  append_part(out, part, extensible);
  return out;
}

}  // namespace dirmail::imap
