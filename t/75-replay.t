# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The replay cache (JWTSSOReplayCache): each consumed ?jwt= token logs in
# once, on one server and across a cluster sharing a memcached.
#
#   1. one server, the default cache (shmcb): a token twice (also in
#      parallel), the jti as key, an ES256 token re-formed as (r, n-s),
#      bearer tokens not checked
#   2. a cluster: the jwtsso_replay virtual host of the test server and a
#      second httpd started here, both JWTSSOReplayCache memcache:127.0.0.1:PORT
#      on a memcached started here: a token used on one is refused on the
#      other, also when both get it at once (a third httpd behind a slow
#      proxy to memcached makes that race certain); the record's TTL in
#      memcached; memcached stopped: 503 + Retry-After, sessions go on;
#      memcached back: logins recover by themselves
#   3. JWTSSOReplayCache none (the jwtsso_noreplay virtual host): a token
#      works twice
#   4. start-up: the provider's module not loaded, a bogus provider
#
# Scenarios: t/conf/jwtsso.conf.in (/app/nostate, /app/pk/es256,
# /app/replaybearer, <VirtualHost jwtsso_replay>, <VirtualHost
# jwtsso_noreplay>); all JWTSSOState Off, max age 60 s, skew 5 s.
# memcached listens on @JWTSSO_MEMCACHED_PORT@ (t/TEST.PL picks it); the
# processes this file starts are stopped by their PID in END.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Digest::SHA qw(sha256_hex);
use IO::Socket::INET ();
use Math::BigInt ();
use POSIX ();
use Time::HiRes ();
use URI::Escape qw(uri_escape);
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $MEMCACHED = '/usr/bin/memcached';
my $CFG = Apache::Test::config();
my $MC_PORT = $CFG->{vars}->{jwtsso_memcached_port}
    or die "no jwtsso_memcached_port in the Apache::Test config (t/TEST.PL; t/TEST -clean)";
my $MAIN = secret('main');
my $BASE = base_url();
my $PARENT = $$;

# processes started here, stopped by PID at the end (also on die)
my ($mc_pid, $second, $third, $px_pid);
END {
    if ($$ == $PARENT) {
        httpd_stop($third) if $third;
        stop_pid($px_pid) if $px_pid;
        httpd_stop($second) if $second;
        stop_pid($mc_pid) if $mc_pid;
    }
}

sub vhost_base {
    my $name = shift;
    my $hp = $CFG->{vhosts}->{$name} && $CFG->{vhosts}->{$name}->{hostport}
        or die "no virtual host $name in the Apache::Test config";
    return "http://$hp";
}

sub fp { substr(sha256_hex(shift), 0, 8) }

# A fresh HS256 token for $sub (iat now, a unique nonce), %more claims.
my $N = 0;
sub hs_token {
    my ($sub, %more) = @_;
    return raw_token(secret => $MAIN,
                     payload => { sub => $sub, iat => time(), nonce => "$$-" . ++$N, %more });
}

# login_ok($label, $base, $path, $token, $user [, $errlog]) -> $ua with the session or undef:
# 302 without the token, a session cookie, the login line, then 200 as $user.
sub login_ok {
    my ($label, $base, $path, $token, $user, $log) = @_;
    $log //= error_log_path();
    my $m = log_mark($log);
    my ($res, $ua) = present_at($base, $path, $token);
    my $ok = is($res->code, 302, "$label: 302") || diag($res->as_string);
    my $loc = $res->header('Location') // '';
    $ok &= like($loc, qr{^http://[^/?]+\Q$path\E$}, "$label: redirect to $path without the token");
    $ok &= is(scalar(session_cookie_of($res)), 1, "$label: session cookie");
    $ok &= like(scalar(log_since($log, $m, qr/JWTSSO00408/)),
                qr/JWTSSO00408: login: user '\Q$user\E' \(alg \w+, token \Q${\ fp($token)}\E\)/,
                "$label: login logged");
    my $next = $ua->get($base . $path);
    $ok &= is($next->code, 200, "$label: 200 with the session") || diag($next->as_string);
    $ok &= is(app_vars($next)->{REMOTE_USER}, $user, "$label: REMOTE_USER $user");
    return $ok ? $ua : undef;
}

# replayed($label, $base, $path, $token [, $errlog]): a fresh browser: 401, no
# session, JWTSSO00417 replayed with the token's fingerprint, the token in
# neither the body nor the log.
sub replayed {
    my ($label, $base, $path, $token, $log) = @_;
    $log //= error_log_path();
    my $m = log_mark($log);
    my ($res) = present_at($base, $path, $token);
    my $ok = is($res->code, 401, "$label: 401") || diag($res->as_string);
    $ok &= is(scalar(session_cookie_of($res)), 0, "$label: no session cookie");
    my $text = log_since($log, $m, qr/JWTSSO00417|JWTSSO00408/);
    $ok &= like($text, qr/JWTSSO00417: token refused: replayed: [^\n]*token \Q${\ fp($token)}\E/,
                "$label: log JWTSSO00417 replayed") || diag("log since mark:\n$text");
    $ok &= unlike($text, qr/JWTSSO00408/, "$label: no login logged");
    $ok &= ok(index($res->content, $token) < 0 && index($text, $token) < 0,
              "$label: the token is in neither the body nor the log");
    return $ok;
}

# unavailable($label, $base, $path, $token, $errlog): 503 + Retry-After, no
# session, JWTSSO00418 at error with memcache.c's line naming the store before it.
sub unavailable {
    my ($label, $base, $path, $token, $log) = @_;
    my $m = log_mark($log);
    my ($res) = present_at($base, $path, $token);
    my $ok = is($res->code, 503, "$label: 503") || diag($res->as_string);
    $ok &= like($res->header('Retry-After') // '', qr/^\d+$/, "$label: Retry-After (seconds)");
    $ok &= like($res->header('Cache-Control') // '', qr/no-store/, "$label: Cache-Control: no-store");
    $ok &= is(scalar(session_cookie_of($res)), 0, "$label: no session cookie");
    $ok &= ok(!defined $res->header('Location'), "$label: no redirect");
    my $text = log_since($log, $m, qr/JWTSSO00418/);
    $ok &= like($text, qr/\[[^\]]*:error\][^\n]*JWTSSO00418: [^\n]*replay cache is unreachable[^\n]*token \Q${\ fp($token)}\E/,
                "$label: log JWTSSO00418 at error") || diag("log since mark:\n$text");
    $ok &= like($text, qr/\[[^\]]*:error\][^\n]*JWTSSO\d{5}: replay cache memcache:127\.0\.0\.1:$MC_PORT\b/,
                "$label: memcache.c's error line names the store memcache:127.0.0.1:$MC_PORT");
    $ok &= unlike($text, qr/JWTSSO00408/, "$label: no login logged");
    $ok &= ok(index($res->content, $token) < 0 && index($text, $token) < 0,
              "$label: the token is in neither the body nor the log");
    return $ok;
}

# GET every URL at the same moment, each from its own process: the status codes.
sub parallel_codes {
    my @urls = @_;
    my $at = Time::HiRes::time() + 0.5;
    my @kids;
    for my $u (@urls) {
        pipe(my $r, my $w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            my $ua = ua();
            my $d = $at - Time::HiRes::time();
            Time::HiRes::sleep($d) if $d > 0;
            my $res = $ua->get($u);
            print {$w} $res->code;
            close $w;
            POSIX::_exit(0);        # no END blocks in the children
        }
        close $w;
        push @kids, [$pid, $r];
    }
    my @codes;
    for my $k (@kids) {
        my $fh = $k->[1];
        my $c = do { local $/; <$fh> };
        waitpid $k->[0], 0;
        push @codes, $c // 'none';
    }
    return @codes;
}

# memcached meta get: the remaining TTL of KEY in seconds (-1: none), or undef if absent.
sub mc_ttl {
    my $key = shift;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $MC_PORT, Timeout => 3)
        or return 'unreachable';
    print {$s} "mg $key t\r\n";
    my $line = <$s> // '';
    close $s;
    return $line =~ /^(?:HD|VA \d+)\b.*\bt(-?\d+)/ ? $1 : undef;
}

# ==================================================================== 1. one server, shmcb
{
    my $p = '/app/nostate/r1';
    my $t = hs_token('replay-ann');
    ok login_ok('1a first use', $BASE, $p, $t, 'replay-ann'), '1a: a token logs in once';
    replayed("1a same token, fresh browser #$_", $BASE, $p, $t) for 1 .. 4;   # across the children
    replayed('1a same token at another location of the server', $BASE, '/app/strict/r1', $t);
    login_ok('1a another token for the same user', $BASE, $p, hs_token('replay-ann'), 'replay-ann');

    # a token that got its session: presenting it again is still a replay
    my $t2 = hs_token('replay-ann2');
    my $ua = login_ok('1a token 2', $BASE, $p, $t2, 'replay-ann2');
    {
        my ($res) = present_at($BASE, $p, $t2, $ua || ua());
        is $res->code, 401, '1a: token 2 again in the browser that holds its session: 401';
    }

    # the same token in parallel: exactly one login
    for my $round (1 .. 3) {
        my $tp = hs_token("replay-par$round");
        my @codes = parallel_codes(("$BASE$p?jwt=" . uri_escape($tp)) x 8);
        is scalar(grep { $_ eq '302' } @codes), 1, "1b round $round: 8 parallel uses of one token: one 302"
            or diag "codes: @codes";
        is scalar(grep { $_ eq '401' } @codes), 7, "1b round $round: and seven 401" or diag "codes: @codes";
    }

    # the jti keys the cache: another token (other iat) with the same jti and iss
    my $jti = "jti-$$-" . time();
    my $now = time();
    my $j1 = raw_token(secret => $MAIN, payload => { sub => 'replay-jti', iat => $now, jti => $jti, iss => 'https://idp.test' });
    my $j2 = raw_token(secret => $MAIN, payload => { sub => 'replay-jti', iat => $now - 1, jti => $jti, iss => 'https://idp.test' });
    my $j3 = raw_token(secret => $MAIN, payload => { sub => 'replay-jti', iat => $now, jti => $jti, iss => 'https://other.test' });
    my $j4 = raw_token(secret => $MAIN, payload => { sub => 'replay-jti', iat => $now, jti => $jti });
    my $j5 = raw_token(secret => $MAIN, payload => { sub => 'replay-jti', iat => $now - 2, jti => $jti });
    isnt $j1, $j2, '1c: two different tokens with one jti';
    login_ok('1c jti, iss https://idp.test', $BASE, $p, $j1, 'replay-jti');
    replayed('1c same jti and iss, another iat', $BASE, $p, $j2);
    login_ok('1c same jti, another iss', $BASE, $p, $j3, 'replay-jti');
    login_ok('1c same jti, no iss', $BASE, $p, $j4, 'replay-jti');
    replayed('1c same jti, no iss, another iat', $BASE, $p, $j5);

    # ECDSA: anyone can re-form a signature (r, s) as (r, n-s) without the
    # key; the re-formed token verifies, so only a key without the signature
    # (the signing input) catches it.
    my $n = Math::BigInt->from_hex('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
    my $reform = sub {
        my $tok = shift;
        my ($hp, $sig) = $tok =~ /^(.*)\.([^.]*)$/;
        my $raw = b64url_decode($sig);
        my $s = Math::BigInt->from_hex(unpack('H*', substr($raw, 32)));
        (my $hex = $n->copy->bsub($s)->as_hex) =~ s/^0x//;
        $hex = ('0' x (64 - length $hex)) . $hex;
        return "$hp." . b64url(substr($raw, 0, 32) . pack('H*', $hex));
    };
    my $es = '/app/pk/es256/r1';
    my ($e1, $e2) = sign_tokens('jose',
        map { { alg => 'ES256', key => 'file:' . key_file('ec256'), payload => { sub => 'replay-ec', nonce => "$$-$_" } } } 1, 2);
    my $e1m = $reform->($e1);
    my $e2m = $reform->($e2);
    isnt $e1m, $e1, '1d: the re-formed ES256 token differs from the original';
    login_ok('1d ES256 original', $BASE, $es, $e1, 'replay-ec');
    replayed('1d ES256 re-formed as (r, n-s) after the original', $BASE, $es, $e1m);
    # the other order proves the re-formed signature verifies
    login_ok('1d ES256 re-formed (r, n-s) first: a valid signature', $BASE, $es, $e2m, 'replay-ec');
    replayed('1d ES256 original after its re-formed twin', $BASE, $es, $e2);

    # bearer tokens are verified per request and never recorded
    my $b = node_token($MAIN, { sub => 'replay-bearer', nonce => "$$-b" }, { expiresIn => '5m' });
    for my $i (1 .. 3) {
        my $res = ua()->get("$BASE/app/replaybearer/x", Authorization => "Bearer $b");
        is $res->code, 200, "1e: the same bearer token, request $i: 200" or diag $res->as_string;
        is app_vars($res)->{REMOTE_USER}, 'replay-bearer', "1e: request $i: REMOTE_USER";
    }
    login_ok('1e the bearer token then as ?jwt= (bearer use recorded nothing)', $BASE, '/app/replaybearer/x', $b,
             'replay-bearer');
    replayed('1e and as ?jwt= again', $BASE, '/app/replaybearer/x', $b);
    {
        # a login token is one-time: consumed, it is no bearer either
        # (t/82-token-kinds.t), also where a child had cached it before
        my $res = ua()->get("$BASE/app/replaybearer/x", Authorization => "Bearer $b");
        is $res->code, 401, '1e: as bearer after its ?jwt= login: 401 (consumed)';
    }
}

# ==================================================================== 3. JWTSSOReplayCache none
{
    my $nb = vhost_base('jwtsso_noreplay');
    my $t = hs_token('replay-none');
    login_ok('3 none: first use', $nb, '/app/r/none', $t, 'replay-none');
    login_ok('3 none: second use (no replay check, documented)', $nb, '/app/r/none', $t, 'replay-none');
    login_ok('3 none: third use', $nb, '/app/r/none', $t, 'replay-none');
    # the default is on: the same token at the main server once, then refused
    login_ok('3 the main server (default shmcb): first use there', $BASE, '/app/nostate/r3', $t, 'replay-none');
    replayed('3 the main server: second use', $BASE, '/app/nostate/r3', $t);
}

# ==================================================================== 2. a cluster on memcached
SKIP: {
    skip "no $MEMCACHED (scripts/test installs the memcached package)", 1 unless -x $MEMCACHED;

    my $vb = vhost_base('jwtsso_replay');
    my $log = error_log_path();
    my $p = '/app/r/cluster';

    # memcached before the first request to the virtual host
    ok !wait_port($MC_PORT, 0), "2: nothing listens on 127.0.0.1:$MC_PORT yet";
    $mc_pid = eval { memcached_start($MC_PORT) };
    ok $mc_pid, "2: memcached runs on 127.0.0.1:$MC_PORT (pid " . ($mc_pid // '-') . ')' or diag $@;
    $second = eval {
        httpd_start("JWTSSOReplayCache memcache:127.0.0.1:$MC_PORT\n" . jwtsso_location(path => '/app/r'));
    };
    ok $second, '2: a second httpd with the same module, secret, AuthName and memcached' or diag $@;
    skip 'no memcached or no second httpd', 1 unless $mc_pid && $second;
    my $sb = $second->{base};
    my $slog = $second->{error_log};
    isnt $second->{port}, $CFG->{vhosts}{jwtsso_replay}{port}, '2: the second httpd has its own port';

    # a token used here is refused there, and vice versa
    my $t1 = hs_token('replay-c1');
    my $ua_v = login_ok('2a vhost: first use', $vb, $p, $t1, 'replay-c1');
    replayed('2a the same token at the second httpd', $sb, $p, $t1, $slog);
    replayed('2a the same token at the vhost again', $vb, $p, $t1);
    my $t2 = hs_token('replay-c2');
    my $ua_s = login_ok('2a second httpd: first use', $sb, $p, $t2, 'replay-c2', $slog);
    replayed('2a that token at the vhost', $vb, $p, $t2);
    replayed('2a that token at the second httpd again', $sb, $p, $t2, $slog);
    my $jti = "cjti-$$-" . time();
    my $j1 = hs_token('replay-cj', jti => $jti, iss => 'https://idp.test');
    my $j2 = raw_token(secret => $MAIN, payload => { sub => 'replay-cj', iat => time() - 1, jti => $jti, iss => 'https://idp.test' });
    login_ok('2a jti: first token at the second httpd', $sb, $p, $j1, 'replay-cj', $slog);
    replayed('2a jti: another token with its jti and iss at the vhost', $vb, $p, $j2);

    # The same token at two servers at once: one login. Each server's mutex
    # only serialises its own look-up + store; across servers only an
    # atomic add in the store (memcached "add") can decide. A third httpd
    # reaches the same memcached through a proxy that holds each reply
    # 0.3 s, so its look-up and its store are 0.3 s apart, deterministically.
    {
        my $px_port = free_port();
        $px_pid = eval { delay_proxy_start($px_port, $MC_PORT, 0.3) };
        ok $px_pid, "2a: a slow path to memcached: proxy 127.0.0.1:$px_port, replies held 0.3 s" or diag $@;
        $third = $px_pid && eval {
            httpd_start("JWTSSOReplayCache memcache:127.0.0.1:$px_port\n" . jwtsso_location(path => '/app/r'));
        };
        ok $third, '2a: a third httpd on memcached through the slow proxy' or diag $@;
        SKIP: {
            skip 'no proxy or no third httpd', 3 unless $px_pid && $third;
            my $tb = $third->{base};
            my $t = hs_token('replay-slow');
            login_ok('2a slow member: first use', $tb, $p, $t, 'replay-slow', $third->{error_log});
            replayed('2a slow member: that token at the second httpd', $sb, $p, $t, $slog);
            my @multi;
            for my $round (1 .. 3) {
                my $q = "$p?jwt=" . uri_escape(hs_token("replay-race$round"));
                my @codes = parallel_codes("$tb$q", "$sb$q");
                push @multi, "round $round: slow member $codes[0], second httpd $codes[1]"
                    if 1 != grep { $_ eq '302' } @codes;
            }
            is scalar(@multi), 0, '2a: one token at two members at once (3 rounds): one login each round'
                or diag join "\n", @multi;
        }
        httpd_stop($third) if $third;
        $third = undef;
        stop_pid($px_pid) if $px_pid;
        $px_pid = undef;
    }

    # the record lives as long as the token could be accepted: iat + 60 + 5 s
    # here, not a fixed long time (memcached's own TTL of the key)
    {
        my $t = hs_token('replay-ttl');
        my ($hp) = $t =~ /^(.*)\.[^.]*$/;
        my $res = (present_at($vb, $p, $t))[0];
        is $res->code, 302, '2b: a token consumed for the TTL check';
        my $key = 'jwtsso-replay:' . sha256_hex("jws\0$hp");
        my $ttl = mc_ttl($key);
        ok defined $ttl, "2b: memcached holds $key (namespace jwtsso-replay, SHA-256 of the signing input)"
            or diag 'mc_ttl: ' . ($ttl // 'undef');
        ok defined $ttl && $ttl > 0 && $ttl <= 75,
           '2b: its TTL is what is left of the token\'s acceptance (iat + max age 60 + skew 5 + 1), not longer'
            or diag 'TTL ' . ($ttl // 'undef') . ' s';
        my $jkey = 'jwtsso-replay:' . sha256_hex("jti\0https://idp.test\0$jti");
        ok defined mc_ttl($jkey), "2b: the jti token's key is SHA-256 of jti + iss ($jkey)";
    }

    # memcached stops: logins answer 503, sessions go on
    ok stop_pid($mc_pid), '2c: memcached stopped';
    $mc_pid = undef;
    ok wait_port_closed($MC_PORT, 5), "2c: nothing listens on $MC_PORT";
    my $d1 = hs_token('replay-down1');
    my $d2 = hs_token('replay-down2');
    unavailable('2c vhost, memcached down', $vb, $p, $d1, $log);
    unavailable('2c second httpd, memcached down', $sb, $p, $d2, $slog);
    for my $i (1 .. 3) {    # across the children
        my $d = hs_token("replay-down-v$i");
        my ($res) = present_at($vb, $p, $d);
        is $res->code, 503, "2c vhost, memcached down, token $i: 503";
        ($res) = present_at($sb, $p, $d);
        is $res->code, 503, "2c second httpd, memcached down, token $i: 503";
    }
    SKIP: {
        skip '2c: no sessions from 2a', 4 unless $ua_v && $ua_s;
        my $res = $ua_v->get($vb . $p);
        is $res->code, 200, '2c: the vhost session made before: 200';
        is app_vars($res)->{REMOTE_USER}, 'replay-c1', '2c: its REMOTE_USER';
        $res = $ua_s->get($sb . $p);
        is $res->code, 200, '2c: the second httpd session made before: 200';
        is app_vars($res)->{REMOTE_USER}, 'replay-c2', '2c: its REMOTE_USER';
    }
    {
        my $res = ua()->get($vb . $p);
        is $res->code, 302, '2c: no session, no token: still the redirect to log in';
        like $res->header('Location') // '', qr{^https://idp\.example\.test/login\?}, '2c: to the IdP';
    }

    # memcached back on the same port: logins recover by themselves; the
    # tokens refused with 503 were not consumed, so the retry the
    # Retry-After asks for logs in
    $mc_pid = eval { memcached_start($MC_PORT) };
    ok $mc_pid, '2d: memcached restarted on the same port' or diag $@;
    my $back = Time::HiRes::time();
    for my $case ([ 'vhost', $vb, $d1, 'replay-down1', $log ], [ 'second httpd', $sb, $d2, 'replay-down2', $slog ]) {
        my ($name, $base, $tok, $user, $l) = @$case;
        my ($code, $tries, $res) = (0, 0);
        while (1) {
            $tries++;
            ($res) = present_at($base, $p, $tok);
            $code = $res->code;
            last if $code != 503 || Time::HiRes::time() - $back > 12;
            Time::HiRes::sleep(0.5);
        }
        my $secs = sprintf '%.1f', Time::HiRes::time() - $back;
        is $code, 302, "2d $name: the token refused with 503 logs in after the restart ($tries tries, ${secs} s)"
            or diag $res->as_string;
        ok $secs <= 12, "2d $name: recovered within ~10 s of the restart";
        is scalar(session_cookie_of($res)), 1, "2d $name: session cookie";
    }
    # and the cluster shares tokens again
    my $t3 = hs_token('replay-c3');
    my $ok3 = 0;
    for (1 .. 20) {     # every child of both servers back
        my ($res) = present_at($vb, $p, hs_token('replay-warm'));
        my ($res2) = present_at($sb, $p, hs_token('replay-warm'));
        last if $res->code == 302 && $res2->code == 302 && ++$ok3 >= 4;
        Time::HiRes::sleep(0.5) unless $res->code == 302 && $res2->code == 302;
    }
    login_ok('2d after the restart: a fresh token at the vhost', $vb, $p, $t3, 'replay-c3');
    replayed('2d that token at the second httpd', $sb, $p, $t3, $slog);
    replayed('2d the token that got 503 and then logged in at the vhost, at the second httpd', $sb, $p, $d1, $slog);

    ok httpd_stop($second), '2: the second httpd stopped';
    $second = undef;
    ok stop_pid($mc_pid), '2: memcached stopped';
    $mc_pid = undef;
}

# ==================================================================== 4. start-up
{
    my $loc = jwtsso_location();
    my @no_mc = grep { $_ ne 'socache_memcache' } httpd_modules();
    my @no_shm = grep { $_ ne 'socache_shmcb' } httpd_modules();

    my ($rc, $out) = httpd_configtest("JWTSSOReplayCache memcache:127.0.0.1:11211\n$loc", modules => \@no_mc);
    isnt $rc, 0, '4a: memcache without mod_socache_memcache: httpd -t fails';
    like $out, qr/JWTSSOReplayCache memcache:127\.0\.0\.1:11211/, '4a: the message names the directive and value'
        or diag $out;
    like $out, qr/LoadModule socache_memcache_module \S*mod_socache_memcache\.so/, '4a: and the module to load'
        or diag $out;
    unlike $out, qr/Syntax OK/, '4a: no Syntax OK';

    ($rc, $out) = httpd_configtest("JWTSSOReplayCache memcache:127.0.0.1:11211\n$loc");
    is $rc, 0, '4a: with mod_socache_memcache: httpd -t passes' or diag $out;

    ($rc, $out) = httpd_configtest("JWTSSOReplayCache bogus\n$loc");
    isnt $rc, 0, '4b: JWTSSOReplayCache bogus: httpd -t fails';
    like $out, qr/JWTSSOReplayCache bogus\b[^\n]*'bogus'/, '4b: the message names the directive and the provider'
        or diag $out;
    like $out, qr/\bshmcb\b[^\n]*\bmemcache\b[^\n]*\bnone\b|\bnone\b[^\n]*\bshmcb\b/,
         '4b: and lists what to write instead (shmcb, memcache:HOST:PORT, none)' or diag $out;
    unlike $out, qr/Syntax OK/, '4b: no Syntax OK';

    ($rc, $out) = httpd_configtest("JWTSSOReplayCache memcache\n$loc");
    isnt $rc, 0, '4c: memcache without HOST:PORT: httpd -t fails';
    like $out, qr/JWTSSOReplayCache memcache\b[^\n]*memcache/, '4c: the message names the directive and the provider'
        or diag $out;

    ($rc, $out) = httpd_configtest("<Location /x>\n JWTSSOReplayCache none\n</Location>\n$loc");
    isnt $rc, 0, '4d: JWTSSOReplayCache in a <Location>: refused (server or virtual host only)';
    like $out, qr/JWTSSOReplayCache/, '4d: the message names the directive' or diag $out;

    # the default needs mod_socache_shmcb: no silent "off"
    ($rc, $out) = httpd_configtest($loc, modules => \@no_shm);
    isnt $rc, 0, '4e: the default cache without mod_socache_shmcb: httpd -t fails';
    like $out, qr/JWTSSOReplayCache shmcb \(default[^\n]*LoadModule socache_shmcb_module/,
         '4e: the message says it is the default and the module to load' or diag $out;
    ($rc, $out) = httpd_configtest("JWTSSOReplayCache none\n$loc", modules => \@no_shm);
    is $rc, 0, '4e: JWTSSOReplayCache none needs no socache module' or diag $out;

    # the real start: caches and the mutex are made in post_config
    ($rc, $out) = httpd_configtest("JWTSSOReplayCache memcache:127.0.0.1:$MC_PORT\n$loc", start => 1);
    is $rc, 0, '4f: memcache (memcached not running) starts' or diag $out;
    like $out, qr/resuming normal operations/, '4f: the server really started';
    unlike $out, qr/\[(?:[^\]]*:)?(?:crit|emerg|alert)\]/, '4f: nothing critical in its log' or diag $out;
    ($rc, $out) = httpd_configtest($loc, start => 1);
    is $rc, 0, '4f: the default shmcb starts' or diag $out;
    unlike $out, qr/\[(?:[^\]]*:)?(?:crit|emerg|alert)\]/, '4f: nothing critical in its log' or diag $out;
}

done_testing();
