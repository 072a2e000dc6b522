/*
 * The PN-counter model of level4_explore/pn_model.hpp in Promela, for Spin: the same replicas,
 * adds, gossip, drops, duplicates and network capacity, the same transitions, and globals that
 * hold exactly the explorer's state, so that Spin's "states, stored" equals the explorer's count.
 *
 *   spin -DR=2 -DADDS=2 -DDROPS=1 -DDUPS=1 -DCAP=2 -a pn_counter.pml
 *   gcc -O2 -DNOREDUCE -DSAFETY -o pan pan.c && ./pan -m1000000
 *
 * Why the counts match:
 * - One process whose `do` loop has one d_step per transition: a d_step is one Spin transition
 *   with no stored intermediate state, and the process is always at the loop's head, so its
 *   program counter never tells two of our states apart. The loop is labelled end: a state where
 *   nothing can happen (all adds done, network full and no fault left) is a valid end state, as it
 *   is a state without successors for the explorer.
 * - The in-flight multiset is a sorted array of packed messages with zeros after the last one,
 *   as the explorer's is a sorted array with zeroed slots: equal multisets, equal vectors.
 * - `truth` is the explorer's ghost; with the correct merge it always equals each replica's own
 *   entries, so it adds no states here either.
 * - Temporaries are `hidden`: not part of the state vector. (Named h_*: pan's C code has its
 *   own locals named m, t, ... that a plain name would collide with.)
 * The explorer skips a second equal message (same successor); Spin tries it and finds the state
 * already stored: transition counts differ, state counts do not.
 *
 * The invariants of pn_model.hpp are asserted after every transition (own entries exact, no
 * over-count, one exchange converges), so Spin checks in every state what the explorer checks.
 */

#ifndef R
#define R 2
#endif
#ifndef ADDS
#define ADDS 2
#endif
#ifndef DROPS
#define DROPS 1
#endif
#ifndef DUPS
#define DUPS 1
#endif
#ifndef CAP
#define CAP 2
#endif
#define B (ADDS + 1)  /* an entry is 0 .. ADDS: the base of a packed message's digits */

byte cp[R * R];       /* cp[r * R + i]: replica r's p[i] */
byte cn[R * R];       /* cn[r * R + i]: replica r's n[i] */
byte tp[R];           /* truth: replica i's increments */
byte tn[R];           /* truth: replica i's decrements */
int msg[CAP];         /* in flight, packed, sorted ascending in [0, count), 0 after */
byte count;
byte adds_left = ADDS;
byte drops_left = DROPS;
byte dups_left = DUPS;

hidden int h_msg;
hidden int h_at;
hidden byte h_k;
hidden byte h_peer;
hidden byte h_to;

/* Into h_msg: the message from `src` to `dst` carrying src's counter, packed as
 * to + R * (from + R * (p[0] + B * (p[1] + ... + B * (n[0] + B * (n[1] + ...)))));
 * never 0, since from != to. */
inline pack(src, dst) {
  h_msg = 0;
  h_k = R;
  do
  :: h_k > 0 -> h_k--; h_msg = h_msg * B + cn[src * R + h_k]
  :: else -> break
  od;
  h_k = R;
  do
  :: h_k > 0 -> h_k--; h_msg = h_msg * B + cp[src * R + h_k]
  :: else -> break
  od;
  h_msg = (h_msg * R + src) * R + dst
}

inline insert(value) {
  h_at = count;
  count++;
  do
  :: h_at > 0 && msg[h_at - 1] > value -> msg[h_at] = msg[h_at - 1]; h_at--
  :: else -> break
  od;
  msg[h_at] = value
}

inline remove(slot) {
  h_at = slot;
  do
  :: h_at + 1 < count -> msg[h_at] = msg[h_at + 1]; h_at++
  :: else -> break
  od;
  count--;
  msg[count] = 0
}

/* The target of msg[slot] merges its counter: entry by entry, the larger. */
inline merge_in(slot) {
  h_msg = msg[slot];
  h_to = h_msg % R;
  h_msg = h_msg / R / R;  /* the sender does not matter to the merge */
  h_k = 0;
  do
  :: h_k < R ->
     if
     :: h_msg % B > cp[h_to * R + h_k] -> cp[h_to * R + h_k] = h_msg % B
     :: else
     fi;
     h_msg = h_msg / B;
     h_k++
  :: else -> break
  od;
  h_k = 0;
  do
  :: h_k < R ->
     if
     :: h_msg % B > cn[h_to * R + h_k] -> cn[h_to * R + h_k] = h_msg % B
     :: else
     fi;
     h_msg = h_msg / B;
     h_k++
  :: else -> break
  od
}

/* pn_model.hpp's invariants: own entries exact, no over-count. The third, "one exchange
 * converges", follows from these two when the merge is max (the largest p[i] any replica holds is
 * replica i's own, which is truth's), so it needs no statement of its own here. */
inline check() {
  h_k = 0;
  do
  :: h_k < R ->
     assert(cp[h_k * R + h_k] == tp[h_k] && cn[h_k * R + h_k] == tn[h_k]);
     h_peer = 0;
     do
     :: h_peer < R ->
        assert(cp[h_peer * R + h_k] <= tp[h_k] && cn[h_peer * R + h_k] <= tn[h_k]);
        h_peer++
     :: else -> break
     od;
     h_k++
  :: else -> break
  od;
  h_k = 0  /* a statement after the loop: a d_step may not end in a loop's break */
}

#define ADD(r) \
  :: d_step { adds_left > 0 -> cp[r * R + r]++; tp[r]++; adds_left--; check() } \
  :: d_step { adds_left > 0 -> cn[r * R + r]++; tn[r]++; adds_left--; check() }

#define GOSSIP(r) \
  :: d_step { count + R - 1 <= CAP -> \
       h_peer = 0; \
       do \
       :: h_peer < R -> if :: h_peer != r -> pack(r, h_peer); insert(h_msg) :: else fi; h_peer++ \
       :: else -> break \
       od; \
       check() }

#define NET(s) \
  :: d_step { s < count -> merge_in(s); remove(s); check() } \
  :: d_step { s < count && drops_left > 0 -> remove(s); drops_left--; check() } \
  :: d_step { s < count && dups_left > 0 && count < CAP -> \
       h_msg = msg[s]; insert(h_msg); dups_left--; check() }

/* Branches exist only for the replicas and slots the configuration has (cpp sees R and CAP). */
active proctype network() {
end:
  do
  ADD(0) ADD(1) GOSSIP(0) GOSSIP(1)
#if R > 2
  ADD(2) GOSSIP(2)
#endif
#if R > 3
  ADD(3) GOSSIP(3)
#endif
  NET(0)
#if CAP > 1
  NET(1)
#endif
#if CAP > 2
  NET(2)
#endif
#if CAP > 3
  NET(3)
#endif
#if CAP > 4
  NET(4)
#endif
#if CAP > 5
  NET(5)
#endif
#if CAP > 6
  NET(6)
#endif
#if CAP > 7
  NET(7)
#endif
  od
}
