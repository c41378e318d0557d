#pragma once

// The validator's list of problems: exact counts, a bounded list. Private to check/.

#include <layerscope/check/validate.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace layerscope {

/// Collects problems with exact counts; keeps at most `cap` listed, dropping info before
/// warnings before errors, and within a severity variety before repetition: the n-th problem
/// of one check is dropped before the first of another (so a check seen once is listed even
/// behind 200,000 repeats of a common one), then in the order found.
class ProblemList
{
public:
    explicit ProblemList(std::size_t cap)
        : m_cap(std::max<std::size_t>(cap, 1))
    {}

    /// The returned reference (the problem just added) stays valid until the next add. A
    /// problem that can no longer be listed is counted and returned, but not kept.
    Problem &add(Problem p)
    {
        const Rank rank{p.severity, count(p)};
        if (m_floor && !(rank < *m_floor)) {
            // At least m_cap listed problems rank at or before it and were found earlier: it
            // would be the first dropped at the next compaction. With the cap reached by a
            // repeated check, every later repeat ends here instead of in a sort.
            ++m_dropped;
            m_spare = std::move(p);
            return m_spare;
        }
        if (m_list.size() >= 2 * m_cap)
            compact(); // before the push: the new problem is always the one returned
        m_list.push_back({rank, m_found++, std::move(p)});
        return m_list.back().problem;
    }
    void finish(ValidationReport &r)
    {
        compact();
        // By offset, then in the order found (the list's own order depends on when it was
        // compacted).
        std::sort(m_list.begin(), m_list.end(), [](const Listed &a, const Listed &b) {
            return std::tie(a.problem.offset, a.found) < std::tie(b.problem.offset, b.found);
        });
        r.problems.reserve(m_list.size());
        for (Listed &l : m_list)
            r.problems.push_back(std::move(l.problem));
        m_list.clear();
        r.truncated = m_dropped > 0;
        for (auto &[k, t] : m_tallies)
            r.tallies.push_back(std::move(t));
        std::stable_sort(r.tallies.begin(),
                         r.tallies.end(),
                         [](const CheckTally &a, const CheckTally &b) {
                             return a.severity < b.severity;
                         });
        r.errors = m_counts[0];
        r.warnings = m_counts[1];
        r.infos = m_counts[2];
    }

private:
    /// Which problems are listed first: by severity, then by ordinal within its check and
    /// severity (1 for the first, 2 for the second...); the order found breaks ties.
    struct Rank
    {
        Severity severity;
        std::uint64_t ordinal;
        auto operator<=>(const Rank &) const = default;
    };
    struct Listed
    {
        Rank rank;
        std::uint64_t found; ///< how many problems were listed before it
        Problem problem;
    };
    /// Counts `p`; returns its ordinal within its check.
    std::uint64_t count(const Problem &p)
    {
        ++m_counts[int(p.severity)];
        CheckTally &t = m_tallies[{p.check, p.severity}];
        if (t.count++ == 0) {
            t.check = p.check;
            t.severity = p.severity;
            t.firstOffset = p.offset;
        }
        t.firstOffset = std::min(t.firstOffset, p.offset);
        return t.count;
    }
    void compact()
    {
        if (m_list.size() <= m_cap)
            return;
        std::sort(m_list.begin(), m_list.end(), [](const Listed &a, const Listed &b) {
            return std::tie(a.rank, a.found) < std::tie(b.rank, b.found);
        });
        m_dropped += m_list.size() - m_cap;
        m_list.resize(m_cap);
        m_floor = m_list.back().rank;
    }
    std::size_t m_cap;
    std::vector<Listed> m_list;
    /// After a compaction, the rank of the last problem kept: nothing ranked at or after it
    /// can be listed any more (ranks of kept problems only fall).
    std::optional<Rank> m_floor;
    std::uint64_t m_found = 0;
    Problem m_spare;
    std::map<std::pair<std::string, Severity>, CheckTally> m_tallies;
    std::uint64_t m_counts[3] = {0, 0, 0};
    std::uint64_t m_dropped = 0;
};

} // namespace layerscope
