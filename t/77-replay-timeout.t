# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# A hung replay store must not take the site down (issue 11, item 8).
#
# memcached stopped with SIGSTOP still accepts TCP connections (the
# kernel's backlog) but never answers. apr_memcache has no read timeout:
# each login then waits for ever, and enough of them hold every worker.
# Here, with JWTSSOReplayCache memcache:... and the default
# JWTSSOReplayTimeout (500 ms):
#
#   1. memcached stopped: one login answers 503 + Retry-After within the
#      timeout (+ slack), logged at error (JWTSSO00722 timeout or
#      JWTSSO00723 pause after a failure, then JWTSSO00418)
#   2. 50 parallel logins and 200 session requests (10 clients x 20) at
#      once, on an httpd of 16 workers: every login 503 within the bound,
#      every session request 200 as its user
#   3. SIGCONT: logins succeed again by themselves within a few seconds,
#      and the cache works (a replay is refused)
#   4. JWTSSOReplayTimeout 2000 on another httpd: a login waits ~2 s, not
#      500 ms; start-up refuses bad values naming the directive and range
#
# Processes started here (memcached on the port t/TEST.PL picks, httpds)
# are stopped by their PID in END; forked clients are bounded in time and
# killed by PID.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Digest::SHA qw(sha256_hex);
use File::Temp ();
use IO::Select ();
use POSIX ();
use Time::HiRes ();
use URI::Escape qw(uri_escape);
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
plan skip_all => 'no /usr/bin/memcached' unless -x '/usr/bin/memcached';

my $CFG = Apache::Test::config();
my $MC_PORT = $CFG->{vars}->{jwtsso_memcached_port}
    or die "no jwtsso_memcached_port in the Apache::Test config (t/TEST.PL; t/TEST -clean)";
my $MAIN = secret('main');
my $PARENT = $$;
my $TIMEOUT = 0.5;          # JWTSSOReplayTimeout's default, seconds
my $SLACK = 1.0;            # scheduling, a CGI-free 503, the client

my ($mc_pid, $h, $h2, @kids);
END {
    if ($$ == $PARENT) {
        kill 'KILL', @kids if @kids;
        waitpid $_, 0 for @kids;
        kill 'CONT', $mc_pid if $mc_pid;    # a stopped process ignores TERM
        httpd_stop($h2) if $h2;
        httpd_stop($h) if $h;
        stop_pid($mc_pid) if $mc_pid;
    }
}

sub fp { substr(sha256_hex(shift), 0, 8) }

my $N = 0;
sub hs_token {
    my $sub = shift;
    return raw_token(secret => $MAIN,
                     payload => { sub => $sub, iat => time(), nonce => "$$-t77-" . ++$N });
}

# present_at, timed: ($response, $seconds)
sub timed_login {
    my ($base, $path, $token) = @_;
    my $t = Time::HiRes::time();
    my ($res) = present_at($base, $path, $token, ua(timeout => 15));
    return ($res, Time::HiRes::time() - $t);
}

# Runs each job (a code ref returning a list of result lines) in its own
# process, all at once; returns the lines. Children that are not done
# within $limit seconds are killed by PID and reported as 'killed'.
sub run_parallel {
    my ($limit, @jobs) = @_;
    my $at = Time::HiRes::time() + 0.3;
    my (%fh, %out);
    for my $i (0 .. $#jobs) {
        pipe(my $r, my $w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            my $d = $at - Time::HiRes::time();
            Time::HiRes::sleep($d) if $d > 0;
            my @lines = eval { $jobs[$i]->() };
            push @lines, "error $@" if $@;
            print {$w} map { "$_\n" } @lines;
            close $w;
            POSIX::_exit(0);    # no END blocks in the children
        }
        close $w;
        push @kids, $pid;
        $fh{$pid} = $r;
        $out{$pid} = '';
    }
    my $sel = IO::Select->new(values %fh);
    my %pid_of = map { fileno($fh{$_}) => $_ } keys %fh;
    my $until = Time::HiRes::time() + $limit;
    while ($sel->count && Time::HiRes::time() < $until) {
        for my $r ($sel->can_read(0.2)) {
            my $n = sysread $r, my $buf, 65536;
            if ($n) {
                $out{ $pid_of{ fileno $r } } .= $buf;
            }
            else {
                $sel->remove($r);
            }
        }
    }
    my @lines;
    my $grace = Time::HiRes::time() + 3;    # a child that closed its pipe exits
    for my $pid (keys %fh) {
        my $r;
        while (($r = waitpid($pid, POSIX::WNOHANG())) == 0 && Time::HiRes::time() < $grace) {
            Time::HiRes::sleep(0.05);
        }
        if ($r == 0) {
            kill 'KILL', $pid;
            waitpid $pid, 0;
            push @lines, 'killed';
        }
        push @lines, split /\n/, $out{$pid};
        close $fh{$pid};
    }
    @kids = ();
    return @lines;
}

ok !wait_port($MC_PORT, 0), "nothing listens on 127.0.0.1:$MC_PORT yet";
$mc_pid = eval { memcached_start($MC_PORT) };
ok $mc_pid, "memcached runs on 127.0.0.1:$MC_PORT (pid " . ($mc_pid // '-') . ')' or diag $@;
# the server's own time per request (%D, microseconds), apart from the
# queueing a client sees when every worker is busy
my $ALOG_DIR = File::Temp::tempdir('jwtsso-t77-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $ALOG = "$ALOG_DIR/access_log";
$h = $mc_pid && eval {
    httpd_start("JWTSSOReplayCache memcache:127.0.0.1:$MC_PORT\n"
              . qq{LogFormat "%D %>s %U%q" t77\nCustomLog "$ALOG" t77\n}
              . jwtsso_location(path => '/app/r/'));
};
ok $h, 'an httpd (16 workers) with the replay cache on that memcached, JWTSSOReplayTimeout not set (500 ms)'
    or diag $@;

SKIP: {
    skip 'no memcached or no httpd', 1 unless $mc_pid && $h;
    my ($base, $log) = ($h->{base}, $h->{error_log});
    my $p = '/app/r/t77';

    # sessions made while memcached answers; logins leave idle
    # connections in the children, which then hang on their read
    my @cookies;
    for my $i (1 .. 10) {
        my ($res) = present_at($base, $p, hs_token("t77-user$i"));
        my ($c) = map { /^(jwtsso_session=[^;]*)/ ? $1 : () } session_cookie_of($res);
        push @cookies, [ "t77-user$i", $c ] if $res->code == 302 && $c;
    }
    is scalar(@cookies), 10, '0 ten logins while memcached answers, each a session';
    my $warm = 0;
    for (1 .. 20) {
        my ($res) = present_at($base, $p, hs_token('t77-warm'));
        $warm++ if $res->code == 302;
    }
    is $warm, 20, '0 twenty more logins (pooled connections in each child)';

    # ================================================================ 1. SIGSTOP
    ok kill('STOP', $mc_pid), '1 memcached stopped with SIGSTOP (it still accepts connections)';
    {
        my $m = log_mark($log);
        my $t = hs_token('t77-one');
        my ($res, $secs) = timed_login($base, $p, $t);
        is $res->code, 503, '1 a login: 503' or diag $res->as_string;
        ok $secs <= $TIMEOUT + $SLACK, sprintf('1 within the timeout + slack (%.2f s <= %.1f)', $secs, $TIMEOUT + $SLACK);
        like $res->header('Retry-After') // '', qr/^\d+$/, '1 Retry-After';
        is scalar(session_cookie_of($res)), 0, '1 no session cookie';
        my $text = log_since($log, $m, qr/JWTSSO00418/);
        like $text, qr/\[[^\]]*:error\][^\n]*JWTSSO0072[23]: replay cache memcache:127\.0\.0\.1:$MC_PORT: [^\n]*(?:within 500 ms \(JWTSSOReplayTimeout\)|not asked again)/,
             '1 logged at error: no answer within 500 ms (JWTSSO00722) or the pause after it (JWTSSO00723)'
            or diag $text;
        like $text, qr/JWTSSO00418: [^\n]*token \Q${\ fp($t)}\E/, '1 and JWTSSO00418 for the token';
        unlike $text, qr/JWTSSO00408/, '1 no login';
    }

    # ================================================================ 2. a burst
    {
        my $m = log_mark($log);
        my $am = log_mark($ALOG);
        my @jobs;
        for my $i (1 .. 50) {
            my $t = hs_token("t77-burst$i");
            push @jobs, sub {
                my ($res, $secs) = timed_login($base, $p, $t);
                return sprintf 'login %s %.3f', $res->code, $secs;
            };
        }
        for my $k (@cookies) {
            my ($user, $cookie) = @$k;
            push @jobs, sub {
                my $ua = ua(timeout => 15);
                my @r;
                for (1 .. 20) {
                    my $t = Time::HiRes::time();
                    my $res = $ua->get("$base$p", Cookie => $cookie);
                    my $ok = $res->code == 200 && (app_vars($res)->{REMOTE_USER} // '') eq $user ? 'ok' : 'bad';
                    push @r, sprintf 'session %s %s %.3f', $res->code, $ok, Time::HiRes::time() - $t;
                }
                return @r;
            };
        }
        my $start = Time::HiRes::time();
        my @lines = run_parallel(40, @jobs);
        my $wall = Time::HiRes::time() - $start;
        my @logins = map { [ split / / ] } grep { /^login / } @lines;
        my @sessions = map { [ split / / ] } grep { /^session / } @lines;
        my @other = grep { !/^(?:login|session) / } @lines;
        is scalar(@other), 0, '2 every client finished (none killed, no error)' or diag join "\n", @other;
        is scalar(@logins), 50, '2 50 login results';
        is scalar(grep { $_->[1] eq '503' } @logins), 50, '2 every login: 503'
            or diag join ' ', map { $_->[1] } @logins;
        my @lt = sort { $a <=> $b } map { $_->[2] } @logins;
        diag sprintf '2 logins as the clients saw them: median %.2f s, 90%% %.2f s, max %.2f s',
                     $lt[@lt / 2], $lt[int(@lt * 0.9)], $lt[-1] if @lt;
        # the server's own time: each login held a worker at most the
        # timeout (+ slack for a busy CPU)
        my @served = map { /^(\d+) 503 \S*\bjwt=/ ? $1 / 1e6 : () } log_since($ALOG, $am, qr/./);
        is scalar(@served), 50, '2 50 logins answered 503 in the access log';
        my @st = sort { $a <=> $b } @served;
        ok @st && $st[-1] <= $TIMEOUT + 0.3,
           sprintf('2 the server held each login at most %.3f s (<= the timeout %.1f s + 0.3)', $st[-1] // -1, $TIMEOUT);
        # as the clients saw it: 50 logins and 10 CGI clients queued on 16
        # workers; bounded, where a hang would be for ever
        ok @lt && $lt[-1] <= 8, sprintf('2 and every client had its 503 within %.2f s (<= 8)', $lt[-1] // -1);
        is scalar(@sessions), 200, '2 200 session results';
        is scalar(grep { $_->[1] eq '200' && $_->[2] eq 'ok' } @sessions), 200,
           '2 every session request: 200 as its user, while the store hangs'
            or diag join ' ', map { "$_->[1]/$_->[2]" } @sessions;
        my @ss = sort { $a <=> $b } map { $_->[3] } @sessions;
        diag sprintf '2 session requests: median %.2f s, 90%% %.2f s, max %.2f s',
                     $ss[@ss / 2], $ss[int(@ss * 0.9)], $ss[-1] if @ss;
        ok @ss && $ss[-1] <= 8, sprintf('2 the slowest session request took %.2f s (<= 8)', $ss[-1] // -1);
        ok $wall < 30, sprintf('2 the burst took %.1f s', $wall);
        my $text = log_since($log, $m);
        my $timeouts = () = $text =~ /JWTSSO00722: /g;
        my $paused = () = $text =~ /JWTSSO00723: /g;
        ok $timeouts + $paused >= 50, "2 each refused login logged its reason ($timeouts timeouts, $paused in the pause)";
        unlike $text, qr/JWTSSO00408/, '2 no login logged';
        is scalar(crash_lines($text)), 0, '2 no crashed child';
    }

    # ================================================================ 3. SIGCONT
    {
        ok kill('CONT', $mc_pid), '3 memcached continued (SIGCONT)';
        my $back = Time::HiRes::time();
        my ($code, $tries) = (0, 0);
        while (Time::HiRes::time() - $back < 10) {
            $tries++;
            my ($res) = present_at($base, $p, hs_token('t77-back'));
            $code = $res->code;
            last if $code == 302;
            Time::HiRes::sleep(0.2);
        }
        my $secs = Time::HiRes::time() - $back;
        is $code, 302, sprintf('3 a login succeeds again (%.1f s, %d tries)', $secs, $tries);
        ok $secs <= 3, '3 within 3 s of SIGCONT (the pause after a failure is 1 s)';
        my $ok = 0;
        my $t;
        for my $i (1 .. 20) {       # across the children
            $t = hs_token("t77-after$i");
            my ($res) = present_at($base, $p, $t);
            $ok++ if $res->code == 302;
        }
        is $ok, 20, '3 twenty more logins after it: all 302';
        my ($res) = present_at($base, $p, $t);
        is $res->code, 401, '3 and the last token again: 401 (the cache works again)';
        like scalar(log_since($log, 0)), qr/JWTSSO00724: replay cache memcache:127\.0\.0\.1:$MC_PORT: [^\n]*answers again/,
             '3 the recovery is logged (JWTSSO00724)';
    }

    # ================================================================ 4. JWTSSOReplayTimeout
    $h2 = eval {
        httpd_start("JWTSSOReplayCache memcache:127.0.0.1:$MC_PORT\nJWTSSOReplayTimeout 2000\n"
                  . jwtsso_location(path => '/app/r/'));
    };
    ok $h2, '4 another httpd: JWTSSOReplayTimeout 2000' or diag $@;
    SKIP: {
        skip 'no second httpd', 1 unless $h2;
        my ($res) = present_at($h2->{base}, $p, hs_token('t77-h2'));
        is $res->code, 302, '4 it logs in while memcached answers';
        ok kill('STOP', $mc_pid), '4 memcached stopped again';
        my $m = log_mark($h2->{error_log});
        my $secs;
        ($res, $secs) = timed_login($h2->{base}, $p, hs_token('t77-h2b'));
        is $res->code, 503, '4 a login: 503';
        ok $secs >= 1.9 && $secs <= 2 + $SLACK, sprintf('4 after the configured 2 s (%.2f s)', $secs);
        like scalar(log_since($h2->{error_log}, $m, qr/JWTSSO00418/)), qr/JWTSSO00722: [^\n]*within 2000 ms/,
             '4 logged: no answer within 2000 ms';
        ok kill('CONT', $mc_pid), '4 memcached continued';
    }
}

# ==================================================================== 4. start-up
{
    my $loc = jwtsso_location();
    for my $bad ('0', '9', '60001', 'abc', '500ms', '-5', '1e3', ' ', '99999999999999999999') {
        config_bad("4 JWTSSOReplayTimeout '$bad'", "JWTSSOReplayTimeout \"$bad\"\n$loc",
                   [ qr/JWTSSOReplayTimeout: '\Q$bad\E' is not a whole number of milliseconds from 10 to 60000 \(default 500\)/ ]);
    }
    config_ok('4 JWTSSOReplayTimeout 10', "JWTSSOReplayTimeout 10\n$loc");
    config_ok('4 JWTSSOReplayTimeout 60000', "JWTSSOReplayTimeout 60000\n$loc");
    config_ok('4 in a virtual host', "<VirtualHost 127.0.0.1:80>\nJWTSSOReplayTimeout 250\n</VirtualHost>\n$loc");
    config_bad('4 in a <Location>', "<Location /x>\n JWTSSOReplayTimeout 250\n</Location>\n$loc",
               [ qr/JWTSSOReplayTimeout/ ]);
}

done_testing();
