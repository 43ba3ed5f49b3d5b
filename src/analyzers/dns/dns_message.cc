#include "analyzers/dns/dns_message.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

namespace mw::analyzers::dns {

IpAddress IpFromV4(const uint8_t v4[4]) {
  IpAddress ip{};
  ip[10] = 0xff;
  ip[11] = 0xff;
  for (int i = 0; i < 4; ++i) ip[12 + i] = v4[i];
  return ip;
}

IpAddress IpFromV6(const uint8_t v6[16]) {
  IpAddress ip{};
  for (int i = 0; i < 16; ++i) ip[i] = v6[i];
  return ip;
}

bool IsV4Mapped(const IpAddress& ip) {
  for (int i = 0; i < 10; ++i) {
    if (ip[i] != 0) return false;
  }
  return ip[10] == 0xff && ip[11] == 0xff;
}

std::string IpToString(const IpAddress& ip) {
  char buf[48];
  if (IsV4Mapped(ip)) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15]);
    return buf;
  }
  std::string s;
  for (int i = 0; i < 8; ++i) {
    std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", ReadBE16(ip.data() + 2 * i));
    s += buf;
  }
  return s;
}

std::string_view ParseErrorName(ParseError e) {
  switch (e) {
    case ParseError::kOk: return "ok";
    case ParseError::kTruncatedHeader: return "truncated_header";
    case ParseError::kTruncatedQuestion: return "truncated_question";
    case ParseError::kTruncatedAnswer: return "truncated_answer";
    case ParseError::kBadLabel: return "bad_label";
    case ParseError::kNameTooLong: return "name_too_long";
    case ParseError::kPointerLoop: return "pointer_loop";
    case ParseError::kTooManyRecords: return "too_many_records";
    case ParseError::kBadRdata: return "bad_rdata";
  }
  return "unknown";
}

namespace {

// The eight bytes of `x` with 'A'..'Z' made lowercase, every other byte unchanged: per byte, bit
// 7 of `ge_a` says "low seven bits >= 'A'", of `gt_z` "low seven bits > 'Z'", and a byte with
// bit 7 set is not ASCII at all.
uint64_t LowercaseAscii8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t low7 = x & ~kHigh;
  const uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;
  const uint64_t gt_z = low7 + (0x7f - 'Z') * kOnes;
  const uint64_t upper = ge_a & ~gt_z & ~x & kHigh;
  return x | (upper >> 2);  // 0x80 >> 2 = 0x20, the case bit
}

}  // namespace

ParseError ReadName(ByteSpan msg, size_t offset, std::string& name, size_t& next) {
  name.clear();
  // The text is assembled here, lowercased as it is copied, and assigned once: at most 254
  // characters (the wire form's kMaxNameWireBytes less the root label's length byte).
  char text[kMaxNameWireBytes];
  size_t size = 0;
  size_t pos = offset;
  size_t wire_bytes = 0;
  int hops = 0;
  bool jumped = false;
  // Every pointer must point strictly before the label that holds it; together with the hop
  // limit this bounds the work for any input.
  size_t limit = offset;
  while (true) {
    if (pos >= msg.size()) return ParseError::kTruncatedQuestion;
    const uint8_t len = msg[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg.size()) return ParseError::kTruncatedQuestion;
      const size_t target = size_t(len & 0x3f) << 8 | msg[pos + 1];
      if (!jumped) next = pos + 2;
      jumped = true;
      if (++hops > kMaxPointerHops || target >= limit) return ParseError::kPointerLoop;
      limit = target;
      pos = target;
      continue;
    }
    if (len & 0xc0) return ParseError::kBadLabel;
    wire_bytes += size_t(len) + 1;
    if (wire_bytes > kMaxNameWireBytes) return ParseError::kNameTooLong;
    if (len == 0) {
      if (!jumped) next = pos + 1;
      name.assign(text, size);
      return ParseError::kOk;
    }
    if (pos + 1 + len > msg.size()) return ParseError::kTruncatedQuestion;
    // (size + 1 + len <= wire_bytes - 1 < kMaxNameWireBytes: the labels so far, their dots.)
    if (size > 0) text[size++] = '.';
    const uint8_t* label = msg.data() + pos + 1;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
      uint64_t x;
      std::memcpy(&x, label + i, 8);
      x = LowercaseAscii8(x);
      std::memcpy(text + size, &x, 8);
      size += 8;
    }
    for (; i < len; ++i) {
      const uint8_t c = label[i];
      text[size++] = char(uint8_t(c - 'A') < 26 ? c + ('a' - 'A') : c);
    }
    pos += 1 + len;
    if (!jumped) limit = pos;  // labels read in place may be pointed at by later pointers
  }
}

namespace {

// (`a` may be a reused Answer: every field is set.)
ParseError ReadAnswer(ByteSpan msg, size_t& pos, Answer& a) {
  a.address = {};
  a.target.clear();
  size_t next = 0;
  ParseError e = ReadName(msg, pos, a.name, next);
  if (e == ParseError::kTruncatedQuestion) return ParseError::kTruncatedAnswer;
  if (e != ParseError::kOk) return e;
  pos = next;
  if (pos + 10 > msg.size()) return ParseError::kTruncatedAnswer;
  a.type = ReadBE16(msg.data() + pos);
  a.klass = ReadBE16(msg.data() + pos + 2);
  a.ttl = ReadBE32(msg.data() + pos + 4);
  const size_t rdlen = ReadBE16(msg.data() + pos + 8);
  pos += 10;
  if (pos + rdlen > msg.size()) return ParseError::kTruncatedAnswer;
  if (a.type == kTypeA) {
    if (rdlen != 4) return ParseError::kBadRdata;
    a.address = IpFromV4(msg.data() + pos);
  } else if (a.type == kTypeAaaa) {
    if (rdlen != 16) return ParseError::kBadRdata;
    a.address = IpFromV6(msg.data() + pos);
  } else if (a.type == kTypeCname) {
    size_t after = 0;
    e = ReadName(msg, pos, a.target, after);
    if (e != ParseError::kOk) return e == ParseError::kTruncatedQuestion ? ParseError::kBadRdata : e;
    if (after != pos + rdlen) return ParseError::kBadRdata;
  }
  pos += rdlen;
  return ParseError::kOk;
}

}  // namespace

ParseError ParseMessage(ByteSpan msg, Message& out) {
  // `out` as a fresh Message, but its questions and answers are overwritten in place and
  // trimmed at the end: their strings keep their storage for a caller that parses message
  // after message into one Message.
  std::vector<Question> questions = std::move(out.questions);
  std::vector<Answer> answers = std::move(out.answers);
  out = Message{};
  out.questions = std::move(questions);
  out.answers = std::move(answers);
  size_t nq = 0, na = 0;
  const auto done = [&](ParseError e) {
    out.questions.resize(nq);
    out.answers.resize(na);
    return e;
  };
  if (msg.size() < 12) return done(ParseError::kTruncatedHeader);
  const uint8_t* p = msg.data();
  out.id = ReadBE16(p);
  out.is_response = p[2] & 0x80;
  out.opcode = (p[2] >> 3) & 0x0f;
  out.authoritative = p[2] & 0x04;
  out.truncated = p[2] & 0x02;
  out.recursion_desired = p[2] & 0x01;
  out.recursion_available = p[3] & 0x80;
  out.rcode = p[3] & 0x0f;
  out.qdcount = ReadBE16(p + 4);
  out.ancount = ReadBE16(p + 6);
  out.nscount = ReadBE16(p + 8);
  out.arcount = ReadBE16(p + 10);
  if (out.qdcount > kMaxQuestions || out.ancount > kMaxAnswers) {
    return done(ParseError::kTooManyRecords);
  }
  size_t pos = 12;
  for (size_t i = 0; i < out.qdcount; ++i) {
    if (nq == out.questions.size()) out.questions.emplace_back();
    Question& q = out.questions[nq];
    size_t next = 0;
    ParseError e = ReadName(msg, pos, q.name, next);
    if (e != ParseError::kOk) return done(e);
    if (next + 4 > msg.size()) return done(ParseError::kTruncatedQuestion);
    q.type = ReadBE16(p + next);
    q.klass = ReadBE16(p + next + 2);
    pos = next + 4;
    ++nq;
  }
  for (size_t i = 0; i < out.ancount; ++i) {
    if (na == out.answers.size()) out.answers.emplace_back();
    ParseError e = ReadAnswer(msg, pos, out.answers[na]);
    if (e != ParseError::kOk) return done(e);
    ++na;
  }
  return done(ParseError::kOk);
}

}  // namespace mw::analyzers::dns
