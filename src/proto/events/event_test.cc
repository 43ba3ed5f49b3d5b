#include "proto/events/event.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>

#include "proto/events/event_sink.h"

namespace mw::events {
namespace {

Event SampleAlert() {
  Event e;
  e.timestamp = FormatTimestamp(1780000000123456);
  e.event_type = "alert";
  e.sensor = "sensor-1";
  e.src_ip = "10.0.0.5";
  e.src_port = 51234;
  e.dest_ip = "127.0.0.1";
  e.dest_port = 3333;
  e.proto = "TCP";
  e.flow_id = 42;
  e.event_id = MakeEventId(e.sensor, "alert:1000001", e.flow_id, "");
  e.alert = Alert{1000001, "MINEWATCH Stratum V1 mining session", std::string(kCategoryMining), 1,
                  {"T1496"}};
  e.details.detector = "stratum_session";
  e.details.confidence = 0.97;
  e.details.dialect = "stratum-v1";
  e.details.login = "worker1";
  e.details.evidence = {"mining.subscribe", "mining.notify"};
  return e;
}

TEST(Event, TimestampFormat) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(1780000000123456), "2026-05-28T20:26:40.123456Z");
  EXPECT_EQ(FormatTimestamp(951782400000000), "2000-02-29T00:00:00.000000Z");  // leap day
  EXPECT_EQ(FormatTimestamp(4107542400000000), "2100-03-01T00:00:00.000000Z");  // no leap day
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999999Z");
}

// FormatTimestamp writes the date itself; gmtime_r + strftime is the reference, over dates from
// year 0 to past 10000 (where %Y stops being four digits) and at day and year boundaries.
TEST(Event, TimestampFormatMatchesGmtime) {
  auto reference = [](int64_t micros) {
    int64_t secs = micros / 1000000, frac = micros % 1000000;
    if (frac < 0) {
      frac += 1000000;
      --secs;
    }
    std::time_t t = std::time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[64], out[96];
    std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(out, sizeof(out), "%s.%06lldZ", date, static_cast<long long>(frac));
    return std::string(out);
  };
  std::mt19937_64 rng(7);
  constexpr int64_t kYear0 = -62167219200LL, kYear10001 = 253434182400LL;  // seconds
  for (int i = 0; i < 20000; ++i) {
    const int64_t secs = kYear0 + int64_t(rng() % uint64_t(kYear10001 - kYear0));
    const int64_t micros = secs * 1000000 + int64_t(rng() % 1000000);
    ASSERT_EQ(FormatTimestamp(micros), reference(micros)) << micros;
    for (int64_t edge : {secs - secs % 86400, secs - secs % 86400 - 1}) {
      ASSERT_EQ(FormatTimestamp(edge * 1000000), reference(edge * 1000000)) << edge;
    }
  }
}

TEST(Event, AlertIsEveCompatible) {
  nlohmann::ordered_json j = ToJson(SampleAlert());
  EXPECT_EQ(j["event_type"], "alert");
  EXPECT_EQ(j["alert"]["signature_id"], 1000001);
  EXPECT_EQ(j["alert"]["category"], "Crypto Mining");
  EXPECT_EQ(j["alert"]["severity"], 1);
  EXPECT_EQ(j["alert"]["metadata"]["mitre_technique_id"][0], "T1496");
  EXPECT_EQ(j["dest_port"], 3333);
  EXPECT_EQ(j["minewatch"]["dialect"], "stratum-v1");
  EXPECT_EQ(j["flow_id"], 42u);
}

TEST(Event, RoundTripsThroughJson) {
  Event e = SampleAlert();
  auto back = ParseEvent(ToJsonLine(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ToJsonLine(*back), ToJsonLine(e));
}

TEST(Event, MetadataPayloadUnderItsType) {
  Event e;
  e.timestamp = FormatTimestamp(0);
  e.event_type = "stratum";
  e.event_id = "x";
  e.payload = {{"method", "mining.subscribe"}, {"agent", "cgminer/4.10.0"}};
  auto j = ToJson(e);
  EXPECT_EQ(j["stratum"]["method"], "mining.subscribe");
  auto back = ParseEvent(j.dump());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payload["agent"], "cgminer/4.10.0");
}

TEST(Event, IdIsStableAndDistinguishes) {
  EXPECT_EQ(MakeEventId("s", "alert", 1, "a"), MakeEventId("s", "alert", 1, "a"));
  EXPECT_NE(MakeEventId("s", "alert", 1, "a"), MakeEventId("s", "alert", 2, "a"));
  EXPECT_EQ(MakeEventId("s", "alert", 1, "a").size(), 32u);
}

TEST(Event, ParseRejectsBadInputWithReasons) {
  EXPECT_FALSE(ParseEvent("not json").ok());
  EXPECT_FALSE(ParseEvent("[1,2]").ok());
  EXPECT_FALSE(ParseEvent(R"({"event_type":"alert","event_id":"a"})").ok());
  auto bad_port = ParseEvent(
      R"({"timestamp":"t","event_type":"flow","event_id":"a","src_port":70000})");
  EXPECT_FALSE(bad_port.ok());
  auto bad_alert = ParseEvent(
      R"({"timestamp":"t","event_type":"alert","event_id":"a","alert":{"signature":"x"}})");
  ASSERT_FALSE(bad_alert.ok());
  EXPECT_NE(bad_alert.status().message().find("signature_id"), std::string::npos);
  auto bad_conf = ParseEvent(
      R"({"timestamp":"t","event_type":"flow","event_id":"a","minewatch":{"confidence":2}})");
  EXPECT_FALSE(bad_conf.ok());
  EXPECT_FALSE(ParseEvent(std::string(kMaxEventBytes + 1, ' ')).ok());
  // A type named like a top-level field would put its details in that field's place (found by
  // the event_json fuzz target: the line written from such an event did not read back).
  for (const char* type : {"proto", "timestamp", "metadata", "minewatch", "src_port"}) {
    const auto odd = ParseEvent(std::string(R"({"timestamp":"t","event_type":")") + type +
                                R"(","event_id":"a","metadata":{"x":1}})");
    ASSERT_FALSE(odd.ok()) << type;
    EXPECT_NE(odd.status().message().find("top-level field"), std::string::npos);
  }
  EXPECT_TRUE(
      ParseEvent(R"({"timestamp":"t","event_type":"tls","event_id":"a","tls":{"x":1}})").ok());
}

// A line of nested brackets that fits the size limit is refused with a reason, not printed
// recursively until the stack overflows; brackets inside strings do not count, and the deepest
// nesting allowed still parses.
TEST(Event, ParseRefusesDeepNesting) {
  const std::string head = R"({"timestamp":"t","event_type":"x","event_id":"a","x":)";
  auto nested = [&](size_t levels, std::string_view inner) {
    return head + std::string(levels, '[') + std::string(inner) + std::string(levels, ']') + "}";
  };
  const auto deep = ParseEvent(nested(100000, ""));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("nested deeper than"), std::string::npos);
  EXPECT_TRUE(ParseEvent(nested(kMaxEventDepth - 1, "")).ok());  // the event is one level
  EXPECT_FALSE(ParseEvent(nested(kMaxEventDepth, "")).ok());
  EXPECT_TRUE(ParseEvent(nested(kMaxEventDepth - 1, R"("[[[[{{{{\"[[[")")).ok());
}

TEST(Event, InvalidUtf8IsReplacedNotThrown) {
  Event e = SampleAlert();
  e.details.login = std::string("bad\xff\xfe", 5);
  std::string line = ToJsonLine(e);
  EXPECT_TRUE(ParseEvent(line).ok());
}

// The hand-written line is byte for byte what the ordered map would dump: random events with
// every optional part present or not, strings with quotes, backslashes, control characters,
// DEL, UTF-8 and invalid UTF-8, payloads under every kind of type (also types named like a
// top-level key), confidences of every size.
TEST(Event, LineEqualsTheOrderedMapsDump) {
  std::mt19937 rng(23);
  const std::string pieces[] = {"", "a", "pool.example", "q\"uote", "back\\slash", "tab\there",
                                "nl\n", std::string(1, '\x01'), "\x7f", "caf\xc3\xa9",
                                "\xff\xfe bad", "\xe2\x82", "/slash", "\xf0\x9f\x98\x80"};
  auto str = [&]() {
    std::string v;
    const int n = int(rng() % 4);
    for (int i = 0; i < n; ++i) v += pieces[rng() % std::size(pieces)];
    return v;
  };
  const std::string types[] = {"alert", "stratum", "flow", "", "dns", "host", "minewatch",
                               "metadata", "timestamp", "alert", "al\rt", "q\"t", "b\\s",
                               "\xc3\xa9t\xff"};
  for (int i = 0; i < 5000; ++i) {
    Event e;
    e.timestamp = str();
    e.event_type = types[rng() % std::size(types)];
    e.event_id = str();
    e.sensor = str();
    e.host = str();
    e.src_ip = str();
    e.dest_ip = str();
    e.src_port = uint16_t(rng());
    e.dest_port = uint16_t(rng());
    e.proto = str();
    e.flow_id = rng() % 3 == 0 ? 0 : rng();
    if (rng() % 2) {
      e.alert = Alert{uint32_t(rng()), str(), str(), int(rng() % 5) - 1, {}};
      for (int k = int(rng() % 3); k > 0; --k) e.alert->mitre_technique_ids.push_back(str());
    }
    if (rng() % 2) e.payload = {{"direction", str()}, {"n", rng() % 100}, {"x", {str(), 1.5}}};
    if (rng() % 3 == 0) {
      // Every kind of value a payload may hold, under keys that need escaping too.
      nlohmann::ordered_json nested = {{"neg", -int64_t(rng() % 100000)},
                                       {"t", true},
                                       {"f", false},
                                       {"null", nullptr},
                                       {"o", nlohmann::ordered_json::object()},
                                       {"a", nlohmann::ordered_json::array()},
                                       {str(), {1, -2, 3.25, str(), {{str(), uint64_t(rng())}}}}};
      e.payload[str()] = std::move(nested);
    }
    Details& d = e.details;
    d.detector = str();
    if (rng() % 2) d.confidence = double(rng() % 10001) / double(1 + rng() % 10000);
    d.dialect = str();
    d.pool = str();
    d.login = str();
    d.agent_string = str();
    if (rng() % 3 == 0) d.pid = int64_t(rng()) - (1ll << 31);
    d.exe = str();
    d.cmdline = str();
    d.sha256 = str();
    d.rule = str();
    for (int k = int(rng() % 3); k > 0; --k) d.evidence.push_back(str());
    ASSERT_EQ(ToJsonLine(e), ToJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        << i;
  }
}

TEST(JsonLinesSinkTest, WritesOneLinePerEvent) {
  std::string path = ::testing::TempDir() + "/mw_events_test.json";
  std::remove(path.c_str());
  {
    auto sink = JsonLinesSink::Open(path);
    ASSERT_TRUE(sink.ok());
    (*sink)->Emit(SampleAlert());
    (*sink)->Emit(SampleAlert());
    EXPECT_TRUE((*sink)->Flush().ok());
  }
  FILE* f = std::fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[4096];
  int lines = 0;
  while (std::fgets(buf, sizeof(buf), f)) {
    ++lines;
    EXPECT_TRUE(ParseEvent(buf).ok());
  }
  std::fclose(f);
  EXPECT_EQ(lines, 2);
  EXPECT_FALSE(JsonLinesSink::Open("/nonexistent-dir/x.json").ok());
}

// Log rotation: the file is renamed away, Reopen() starts a new one under the name; every line
// is in one of the two, whole. A reopen that cannot open the name keeps the old file in use.
TEST(JsonLinesSinkTest, ReopenStartsANewFileAndLosesNothing) {
  const std::string dir = ::testing::TempDir() + "/mw_reopen_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/eve.json", rotated = dir + "/eve.json.1";
  auto count_lines = [](const std::string& p) {
    FILE* f = std::fopen(p.c_str(), "r");
    if (f == nullptr) return -1;
    char buf[4096];
    int lines = 0;
    while (std::fgets(buf, sizeof(buf), f)) lines += ParseEvent(buf).ok() ? 1 : 1000;
    std::fclose(f);
    return lines;
  };
  auto sink = JsonLinesSink::Open(path);
  ASSERT_TRUE(sink.ok());
  for (int i = 0; i < 3; ++i) (*sink)->Emit(SampleAlert());  // buffered, not yet written
  std::filesystem::rename(path, rotated);
  ASSERT_TRUE((*sink)->Reopen().ok());
  for (int i = 0; i < 2; ++i) (*sink)->Emit(SampleAlert());
  ASSERT_TRUE((*sink)->Flush().ok());
  EXPECT_EQ(count_lines(rotated), 3);
  EXPECT_EQ(count_lines(path), 2);

  // The folder goes away: the reopen fails, naming the file, and the open file stays in use.
  std::filesystem::rename(dir, dir + ".gone");
  const Status failed = (*sink)->Reopen();
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("cannot reopen " + path), std::string::npos) << failed.message();
  (*sink)->Emit(SampleAlert());
  EXPECT_TRUE((*sink)->Flush().ok());
  EXPECT_EQ(count_lines(dir + ".gone/eve.json"), 3);
  std::filesystem::remove_all(dir + ".gone");

  auto out = JsonLinesSink::Open("-");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE((*out)->Reopen().ok());  // stdout: nothing to reopen
  EXPECT_EQ((*out)->destination(), "stdout");
}

// A write that fails (here /dev/full: the device is always out of space) is an error from
// Flush() naming the destination and the reason, and stays one after later writes.
TEST(JsonLinesSinkTest, AFailedWriteIsAnErrorNamingTheFileAndTheReason) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this machine";
  auto sink = JsonLinesSink::Open("/dev/full");
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  (*sink)->Emit(SampleAlert());
  const Status first = (*sink)->Flush();
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.message().find("/dev/full"), std::string::npos) << first.message();
  EXPECT_NE(first.message().find(std::strerror(ENOSPC)), std::string::npos) << first.message();
  (*sink)->Emit(SampleAlert());
  EXPECT_FALSE((*sink)->Flush().ok());
  EXPECT_FALSE((*sink)->ReaderGone()) << "a full disk is not a reader gone";
}

// Lines to a FIFO whose reader closed it (a log shipper that died): the write fails with EPIPE
// and the sink says nobody reads any more.
TEST(JsonLinesSinkTest, AReaderThatClosedThePipeIsSeen) {
  const std::string path = ::testing::TempDir() + "/sink_fifo." + std::to_string(getpid());
  std::remove(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
  const int reader = open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0) << std::strerror(errno);
  auto sink = JsonLinesSink::Open(path);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  (*sink)->Emit(SampleAlert());
  ASSERT_TRUE((*sink)->Flush().ok());
  EXPECT_FALSE((*sink)->ReaderGone());
  close(reader);
  const auto old_action = std::signal(SIGPIPE, SIG_IGN);
  (*sink)->Emit(SampleAlert());
  const Status st = (*sink)->Flush();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(std::strerror(EPIPE)), std::string::npos) << st.message();
  EXPECT_TRUE((*sink)->ReaderGone());
  sink->reset();  // (its last flush fails the same way)
  std::signal(SIGPIPE, old_action);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mw::events
