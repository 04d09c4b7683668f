# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The replay window: how long the replay cache keeps a consumed token, and
# whether the store can keep it that long (issue 11, item 6).
#
#   1. a wild exp (9.3e12, 2^62, LLONG_MAX, 1e15) under the default max
#      age: the entry lives until iat + max age + skew, not 2 s (the old
#      apr_time_from_sec(exp + skew + 1) wrapped): the token is refused on
#      its second use more than 3 s later
#   2. JWTSSOMaxAge off: a token acceptable for more than 30 days (the
#      store's longest TTL) is refused at its first use with
#      JWTSSO00721 replay_window_too_long; 29 days is accepted, once
#   3. eviction, default store (shmcb, 8 MiB: 256 parts of 566 tokens):
#      a consumed token, then 520 logins whose keys land in its part (the
#      share of ~133,000 logins): still refused; past 566 it is forgotten
#      (the README's numbers, exactly)
#   4. eviction, a small store (JWTSSOReplayCache shmcb:...(65536): 16
#      parts of 70, ~1,100 tokens): 600 random logins later the token is
#      refused, 2,000 later it logs in again, as the README says
#
# Each part runs on its own httpd started here (httpd_start: a fresh
# store), stopped by its PID in END.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Digest::SHA qw(sha256 sha256_hex);
use File::Temp ();
use Time::HiRes ();
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $MAIN = secret('main');
my $PARENT = $$;
my ($h, $small);
END {
    if ($$ == $PARENT) {
        httpd_stop($small) if $small;
        httpd_stop($h) if $h;
    }
}

sub fp { substr(sha256_hex(shift), 0, 8) }

my $HEADER = b64url('{"alg":"HS256","typ":"JWT"}');

# A token from a JSON text (numbers written as they are).
sub token_of {
    my $json = shift;
    my $hp = $HEADER . '.' . b64url($json);
    return "$hp." . b64url(Digest::SHA::hmac_sha256($hp, $MAIN));
}

# The replay key's first byte (verify.c, jwtsso_verify_replay_key: SHA-256
# of "jws\0" and the signing input, for a token without jti): shmcb's part
# of the token.
sub part_byte {
    my $t = shift;
    my ($hp) = $t =~ /^(.*)\.[^.]*$/;
    return ord sha256("jws\0$hp");
}

my $N = 0;
sub json_tok {
    my (%c) = @_;
    my $iat = exists $c{iat} ? delete $c{iat} : time;
    my @m = (defined $iat ? qq{"iat":$iat} : (), map { qq{"$_":$c{$_}} } sort keys %c);
    return '{' . join(',', @m, sprintf('"nonce":"w-%d-%d"', $$, ++$N), '"sub":"window"') . '}';
}

# GET $base$path?jwt=T: the status, and the log since, waiting for a tag.
sub use_token {
    my ($base, $path, $t, $log, $wait) = @_;
    my $m = log_mark($log);
    my ($res) = present_at($base, $path, $t);
    my $text = log_since($log, $m, $wait // qr/JWTSSO00(?:408|417|721)/);
    return ($res, $text);
}

$h = eval {
    httpd_start(jwtsso_location(path => '/app/r/')
              . jwtsso_location(path => '/app/off/', extra => "    JWTSSOMaxAge off\n"));
};
ok $h, 'an httpd with the default replay cache (shmcb), /app/r/ (max age 60) and /app/off/ (max age off)'
    or diag $@;

SKIP: {
    skip 'no httpd', 1 unless $h;
    my ($base, $log) = ($h->{base}, $h->{error_log});

    # ============================================================ 1. wild exp, max age 60
    my @wild = ('9300000000000', '4611686018427387904', '9223372036854775807', '1e15');
    my %tok;
    my $t0 = Time::HiRes::time();
    for my $exp (@wild) {
        my $t = token_of(json_tok(exp => $exp));
        $tok{$exp} = $t;
        my ($res, $text) = use_token($base, '/app/r/x', $t, $log);
        is $res->code, 302, "1 exp $exp (iat now, max age 60): first use logs in" or diag $res->as_string, $text;
    }
    my $wait = 3.5 - (Time::HiRes::time() - $t0);
    Time::HiRes::sleep($wait) if $wait > 0;
    for my $exp (@wild) {
        my ($res, $text) = use_token($base, '/app/r/x', $tok{$exp}, $log);
        is $res->code, 401, "1 exp $exp: the same token more than 3 s later: 401 (the entry outlives the old 2 s)"
            or diag $res->as_string, $text;
        like $text, qr/JWTSSO00417: token refused: replayed: [^\n]*token \Q${\ fp($tok{$exp})}\E/,
             "1 exp $exp: logged as a replay (JWTSSO00417)";
    }

    # ============================================================ 2. max age off: windows past 30 days
    my $now = time;
    for my $case ([ '31 days', $now + 31 * 86400 ], [ '9.3e12', '9300000000000' ],
                  [ 'LLONG_MAX', '9223372036854775807' ], [ '1e15', '1e15' ]) {
        my ($name, $exp) = @$case;
        my $t = token_of(json_tok(iat => undef, exp => $exp));
        my ($res, $text) = use_token($base, '/app/off/x', $t, $log);
        is $res->code, 401, "2 max age off, exp $name: refused at its first use" or diag $res->as_string;
        is scalar(session_cookie_of($res)), 0, "2 exp $name: no session cookie";
        like $text, qr/\[[^\]]*:info\][^\n]*JWTSSO00721: token refused: replay_window_too_long: [^\n]*30 days/,
             "2 exp $name: JWTSSO00721 replay_window_too_long at info" or diag $text;
        unlike $text, qr/JWTSSO00408/, "2 exp $name: no login";
        ok index($text, $t) < 0 && index($res->content, $t) < 0, "2 exp $name: the token is in neither log nor body";
    }
    {
        my $t = token_of(json_tok(iat => undef, exp => $now + 29 * 86400));
        my ($res, $text) = use_token($base, '/app/off/x', $t, $log);
        is $res->code, 302, '2 max age off, exp in 29 days: logs in' or diag $res->as_string, $text;
        ($res, $text) = use_token($base, '/app/off/x', $t, $log);
        is $res->code, 401, '2 exp in 29 days: second use 401';
        like $text, qr/JWTSSO00417/, '2 exp in 29 days: as a replay';
    }

    # ============================================================ 3. eviction, the default store
    # shmcb puts a key in part key[0] & (parts - 1); the default 8 MiB has
    # 256 parts of 566 tokens (README). Tokens whose key starts with the
    # same byte as T0's all land in T0's part, in any layout of up to 256
    # parts (the old 512 KiB: 64 parts of 141).
    {
        my $t0 = token_of(json_tok());
        my $byte = part_byte($t0);
        my $start = Time::HiRes::time();
        my ($res, $text) = use_token($base, '/app/r/evict', $t0, $log);
        is $res->code, 302, "3 T0 logs in (its key's first byte: $byte)";
        my @same;
        while (@same < 600) {
            my $json = json_tok();
            my $hp = $HEADER . '.' . b64url($json);
            push @same, token_of($json) if ord(sha256("jws\0$hp")) == $byte;
        }
        my $ua = ua(cookie_jar => undef, keep_alive => 1);
        my $bad = 0;
        my $login = sub {
            my $r = $ua->get("$base/app/r/evict?jwt=" . shift);
            $bad++ unless $r->code == 302;
        };
        $login->($_) for @same[0 .. 519];
        is $bad, 0, '3 520 other tokens in T0\'s part each log in';
        ($res, $text) = use_token($base, '/app/r/evict', $t0, $log);
        is $res->code, 401, '3 T0 after 520 logins in its part (as many as ~133,000 spread ones): still refused'
            or diag $text;
        like $text, qr/JWTSSO00417/, '3 T0: as a replay';
        $login->($_) for @same[520 .. 599];
        is $bad, 0, '3 80 more in its part (600: past its 566) log in';
        ($res, $text) = use_token($base, '/app/r/evict', $t0, $log);
        is $res->code, 302, '3 T0 after 600: forgotten, as the README says of a part past 566 (the documented bound)'
            or diag $text;
        my $secs = Time::HiRes::time() - $start;
        ok $secs < 55, sprintf('3 all within T0\'s replay window (%.1f s of 66)', $secs);
    }
}

# ============================================================ 4. eviction, a small store
{
    my $dir = File::Temp::tempdir('jwtsso-shm-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    $small = eval {
        httpd_start("JWTSSOReplayCache \"shmcb:$dir/replay(65536)\"\n" . jwtsso_location(path => '/app/r/'));
    };
    ok $small, '4 an httpd with JWTSSOReplayCache shmcb:...(65536): 16 parts of 70 (~1,100 tokens)' or diag $@;
    SKIP: {
        skip 'no httpd', 1 unless $small;
        my ($base, $log) = ($small->{base}, $small->{error_log});
        my $t0 = token_of(json_tok());
        my $start = Time::HiRes::time();
        my ($res) = use_token($base, '/app/r/x', $t0, $log);
        is $res->code, 302, '4 T0 logs in';
        my $ua = ua(cookie_jar => undef, keep_alive => 1);
        my ($ok, $n) = (0, 0);
        my $more = sub {
            my $k = shift;
            for (1 .. $k) {
                $n++;
                $ok++ if $ua->get("$base/app/r/x?jwt=" . token_of(json_tok()))->code == 302;
            }
        };
        $more->(600);
        is $ok, 600, '4 600 other tokens log in';
        my $text;
        ($res, $text) = use_token($base, '/app/r/x', $t0, $log);
        is $res->code, 401, '4 T0 after 600 random logins (about 38 in its part of 70): still refused' or diag $text;
        $more->(1400);
        is $ok, 2000, '4 1,400 more log in';
        ($res, $text) = use_token($base, '/app/r/x', $t0, $log);
        is $res->code, 302, '4 T0 after 2,000 (about 125 in its part of 70): forgotten, logs in again: the '
                          . 'bound the README states (a store holds about size / 58 tokens)' or diag $text;
        my $secs = Time::HiRes::time() - $start;
        ok $secs < 55, sprintf('4 all within T0\'s replay window (%.1f s of 66)', $secs);
    }
}

done_testing();
