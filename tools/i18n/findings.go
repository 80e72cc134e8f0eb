package i18n

import (
	"regexp"
	"strings"
)

// Finding texts are written per finding code, not machine-translated. The English title and action are
// what the check engine and the families emit (tool results stay English); a Korean rule matches the
// English text and carries its parameters (a role, an alarm name, a count) into the Korean sentence.
// A code without a rule, or an English text no rule matches, stays English.

type rule struct {
	re *regexp.Regexp
	ko string // regexp.Expand template: ${1}, ${name}
}

type findingRules struct {
	title, action []rule
}

// exact is a rule for one fixed English sentence.
func exact(en, ko string) rule {
	return rule{re: regexp.MustCompile("^" + regexp.QuoteMeta(en) + "$"), ko: ko}
}

// re is a rule for a pattern.
func re(pattern, ko string) rule { return rule{re: regexp.MustCompile("^" + pattern + "$"), ko: ko} }

// any matches every English text: the Korean text replaces it whatever the parameters were.
func anyText(ko string) rule { return rule{re: regexp.MustCompile(`(?s)^.*$`), ko: ko} }

var roleKO = strings.NewReplacer("the writer", "라이터", "the reader", "리더", "the instance", "인스턴스")

var findings = map[string]findingRules{
	// ---- check engine (tools/check/rules.go) ----
	"health_event": {title: []rule{anyText("AWS Health 이벤트가 이 클러스터에 영향을 줍니다")},
		action: []rule{anyText("권장 사항 및 경보 탭에서 이벤트를 읽고 대비 계획을 세우세요.")}},
	"rds_recommendation": {title: []rule{re(`(?s)RDS recommends: (.*)`, "RDS 권장 사항: ${1}")},
		action: []rule{exact("See the RDS console recommendations.", "RDS 콘솔의 권장 사항을 확인하세요.")}},
	"memory_pressure": {title: []rule{anyText("메모리 부족")},
		action: []rule{anyText("메모리를 할당하는 원인(연결, 대용량 정렬, 임시 테이블)을 찾고, 더 큰 인스턴스 클래스를 고려하세요.")}},
	"swap_growth": {title: []rule{anyText("스왑 사용량 증가")},
		action: []rule{anyText("이 인스턴스의 메모리 부족 여부를 확인하세요.")}},
	"low_cache_hit": {title: []rule{anyText("버퍼 캐시 적중률이 낮음")},
		action: []rule{anyText("작업 세트가 메모리에 다 들어가지 않습니다. get_slow_queries에서 전체 스캔을 찾거나 더 큰 인스턴스 클래스를 고려하세요.")}},
	"deadlocks": {title: []rule{exact("Deadlocks on the writer", "라이터에서 교착 상태 발생"), anyText("교착 상태 발생")},
		action: []rule{exact("Order row locks consistently.", "행 잠금 순서를 일관되게 맞추세요."),
			anyText("get_error_log_summary에서 교착 상태 상세를 확인하고, 행에 접근하는 순서를 일관되게 맞추세요.")}},
	"replica_lag": {title: []rule{anyText("복제 지연")},
		action: []rule{anyText("지연되는 동안 리더는 오래된 데이터를 제공합니다. 라이터의 쓰기 급증과 리더의 부하를 확인하세요.")}},
	"cpu_high": {title: []rule{exact("CPU storm on the writer, across a failover", "장애 조치 전후에 걸친 라이터 CPU 급증"),
		re(`CPU storm on (the writer|the reader|the instance)`, "${role} CPU 급증")},
		action: []rule{anyText("그 시간에 실행된 문장(느린 쿼리, 상위 SQL)을 찾아 튜닝하거나 제한하세요. 정상적인 부하라면 스케일 업하세요.")}},
	"cpu_sustained": {title: []rule{re(`Sustained high CPU on (the writer|the reader|the instance)`, "${role} CPU 사용률이 계속 높음")},
		action: []rule{anyText("get_db_load의 상위 SQL을 확인하고, 더 큰 인스턴스 클래스나 리더 추가를 고려하세요.")}},
	"storage_growth": {title: []rule{anyText("스토리지 증가 예측")},
		action: []rule{anyText("보존 및 아카이빙 계획을 세우고 AuroraVolumeBytesLeftTotal을 지켜보세요.")}},
	"failover": {title: []rule{re(`Failover at (.+)`, "${1} 장애 조치"), anyText("장애 조치")},
		action: []rule{exact("Confirm the application reconnected.", "애플리케이션이 다시 연결되었는지 확인하세요."),
			anyText("애플리케이션이 다시 연결되었는지 확인하고, 이 시각 전후의 원인(CPU 급증, 비정상 종료, 유지 관리)을 찾으세요.")}},
	"failure_event": {title: []rule{anyText("장애 이벤트")}, action: []rule{anyText("이벤트 내용과 그 전후의 오류 로그를 확인하세요.")}},
	"reboot":        {title: []rule{anyText("재부팅")}, action: []rule{anyText("계획된 재부팅인지 확인하세요(CloudTrail에서 요청자를 볼 수 있습니다).")}},
	"low_storage":   {title: []rule{anyText("스토리지 부족")}, action: []rule{anyText("지금 스토리지를 확보하거나 늘리세요.")}},
	"alarm_firing": {title: []rule{re(`(?s)Alarm in ALARM: (.*)`, "ALARM 상태인 경보: ${1}")},
		action: []rule{anyText("경보 조건에 대응하세요. 지표 탭을 참고하세요.")}},
	"alarm_fired": {title: []rule{re(`(?s)Alarm went to ALARM in the window: (.*)`, "기간 중 ALARM 상태가 된 경보: ${1}")},
		action: []rule{anyText("지표 탭에서 해당 시간대를 확인하세요.")}},
	"alarms_missing": {title: []rule{re(`(\d+) recommended alarms are missing`, "권장 경보 ${1}개가 없습니다")},
		action: []rule{exact("Create them with the commands in the Recommendations & alarms tab.", "권장 사항 및 경보 탭의 명령으로 만드세요."),
			anyText("recommend_alarms가 바로 실행할 수 있는 CLI 명령과 CloudFormation 템플릿을 제공합니다.")}},

	// ---- families ----
	"maintenance_forced_soon": {title: []rule{re(`Forced (\S+) on (\S+) in (\S+) days`, "${2}: ${3}일 후 ${1} 강제 적용"),
		re(`Forced (\S+) on (\S+) already past its forced date`, "${2}: ${1} 강제 적용일이 이미 지났습니다")},
		action: []rule{re(`(?s)Apply it in a maintenance window you choose before (.*?) \((aws rds .*)\) and expect a restart; for the writer, plan the failover\.`,
			"${1} 이전에 원하는 유지 관리 기간에 적용하세요(${2}). 재시작이 발생하므로 라이터는 장애 조치를 계획하세요.")}},
	"db_load_above_vcpu": {title: []rule{re(`Database load peaked at (\S+) AAS on (\d+) vCPUs`, "데이터베이스 부하가 vCPU ${2}개에 최대 ${1} AAS까지 상승")},
		action: []rule{anyText("최대 부하의 원인을 찾으세요: 아래 상위 문장(get_slow_queries에서 실행 계획과 검사한 행 수 확인)을 튜닝하거나 리더로 옮기세요. 정상적인 부하라면 인스턴스 클래스를 늘리세요.")}},
	"log_not_exported": {title: []rule{re(`(\S+) log is not exported to CloudWatch Logs`, "${1} 로그를 CloudWatch Logs로 내보내지 않습니다")},
		action: []rule{re(`(?s)Enable the (\S+) export \(EnableCloudwatchLogsExports\) so .*`, "kida가 읽을 수 있도록 ${1} 로그 내보내기(EnableCloudwatchLogsExports)를 켜세요.")}},
	"errorlog_crash": {title: []rule{anyText("데이터베이스 프로세스 비정상 종료")},
		action: []rule{anyText("비정상 종료 전후의 오류 로그와 RDS 이벤트를 확인하고, 반복되면 지원 케이스를 여세요.")}},
	"errorlog_out_of_memory": {title: []rule{anyText("메모리 부족(OOM) 오류")},
		action: []rule{anyText("FreeableMemory와 메모리를 많이 쓰는 설정이나 쿼리를 확인하고, 더 큰 인스턴스 클래스를 고려하세요.")}},
	"errorlog_failover": {title: []rule{anyText("오류 로그에 기록된 장애 조치")},
		action: []rule{anyText("get_rds_events와 느린 쿼리 요약으로 원인을 찾으세요.")}},
	"errorlog_restart": {title: []rule{anyText("데이터베이스 재시작")},
		action: []rule{anyText("이 시각 전후의 재부팅, 유지 관리, 장애 조치를 get_rds_events에서 확인하세요.")}},
	"errorlog_too_many_connections": {title: []rule{anyText("연결 수 소진(too many connections)")},
		action: []rule{anyText("연결 풀이나 RDS Proxy를 사용하고, 연결을 여는 클라이언트를 찾고, max_connections를 확인하세요.")}},
	"errorlog_deadlock": {title: []rule{anyText("교착 상태")},
		action: []rule{anyText("트랜잭션이 같은 순서로 행에 접근하고 짧게 끝나도록 하세요. 로그의 교착 상태 덤프를 확인하세요.")}},
	"errorlog_replication": {title: []rule{anyText("복제 관련 메시지")}, action: []rule{anyText("복제 지연 지표와 라이터의 부하를 확인하세요.")}},
	"errorlog_statement_timeout": {title: []rule{anyText("문장 또는 잠금 타임아웃")},
		action: []rule{anyText("느린 쿼리 요약에서 해당 문장을 찾아 튜닝하거나 타임아웃 값을 조정하세요.")}},
	"errorlog_authentication_failure": {title: []rule{anyText("인증 실패")},
		action: []rule{anyText("잘못 설정된 클라이언트나 예상치 못한 주소에서의 스캔이 있는지 확인하고 보안 그룹을 제한하세요.")}},
	"errorlog_aborted_connection": {title: []rule{anyText("중단된 연결")},
		action: []rule{anyText("대개 클라이언트가 COM_QUIT 없이 연결을 닫았거나 유휴 타임아웃입니다. 빈도가 늘면 조사하세요.")}},

	// ---- cluster posture (tools/cluster/posture.go) ----
	"publicly_accessible": {title: []rule{anyText("인스턴스에 퍼블릭 접근이 허용되어 있습니다")},
		action: []rule{anyText("PubliclyAccessible=false로 설정하고 프라이빗 서브넷, 배스천 호스트 또는 RDS Proxy를 통해 접속하세요.")}},
	"storage_unencrypted": {title: []rule{anyText("스토리지가 암호화되어 있지 않습니다")},
		action: []rule{anyText("암호화는 기존 클러스터에서 켤 수 없습니다. 암호화된 스냅샷 사본을 새 클러스터로 복원하세요.")}},
	"short_backup_retention": {title: []rule{anyText("백업 보존 기간이 7일 미만입니다")},
		action: []rule{anyText("BackupRetentionPeriod를 7일 이상으로 늘리세요.")}},
	"no_deletion_protection": {title: []rule{anyText("삭제 방지가 꺼져 있습니다")},
		action: []rule{anyText("프로덕션 클러스터에서는 DeletionProtection을 켜세요.")}},
	"tls_not_enforced": {title: []rule{anyText("TLS가 강제되지 않습니다")},
		action: []rule{re(`Set (\S+) to 1/ON in the parameter group once clients use TLS\.`, "클라이언트가 TLS를 사용하게 되면 파라미터 그룹에서 ${1}을(를) 1/ON으로 설정하세요.")}},
	"no_failover_target": {title: []rule{anyText("장애 조치할 리더가 없습니다")},
		action: []rule{anyText("다른 가용 영역에 리더를 추가하세요. 장애 조치가 재구축 대신 몇 초 만에 끝납니다.")}},
	"member_not_available": {title: []rule{anyText("인스턴스를 사용할 수 없는 상태입니다")},
		action: []rule{anyText("get_rds_events에서 이 인스턴스에 무슨 일이 일어나고 있는지 확인하세요.")}},
	"single_az": {title: []rule{anyText("모든 멤버가 하나의 가용 영역에 있습니다")}, action: []rule{anyText("리더를 다른 가용 영역에 배치하세요.")}},
	"slowlog_disabled": {title: []rule{exact("Slow statement logging is off", "느린 문장 로깅이 꺼져 있습니다"), anyText("느린 쿼리 로그가 꺼져 있습니다")},
		action: []rule{exact("Set log_min_duration_statement (e.g. 1000 ms) so get_slow_queries has data.", "get_slow_queries가 데이터를 얻을 수 있도록 log_min_duration_statement를 설정하세요(예: 1000 ms)."),
			exact("Set slow_query_log=1 in the instance's effective parameter group.", "인스턴스에 적용된 파라미터 그룹에서 slow_query_log=1로 설정하세요.")}},
	"slowlog_not_file": {title: []rule{anyText("느린 쿼리 로그가 FILE로 기록되지 않습니다")},
		action: []rule{anyText("로그를 CloudWatch Logs로 내보낼 수 있도록 log_output=FILE로 설정하세요.")}},
	"long_query_time_high": {title: []rule{anyText("long_query_time 값이 높습니다")},
		action: []rule{anyText("누적되는 쿼리까지 보려면 long_query_time을 0.5–1초로 낮추세요.")}},
	"pi_off": {title: []rule{anyText("Performance Insights / Database Insights가 꺼져 있습니다")},
		action: []rule{anyText("get_db_load가 부하를 설명할 수 있도록 Database Insights를 켜세요(Standard는 7일 보존이 무료입니다).")}},
	"iam_auth_off": {title: []rule{anyText("IAM 데이터베이스 인증이 꺼져 있습니다")},
		action: []rule{anyText("오래 쓰는 비밀번호를 피하려면 IAM 인증을 고려하세요.")}},

	// ---- report.SampleCheck (the demo-like sample of the golden tests) ----
	"posture-tls": {title: []rule{anyText("TLS가 강제되지 않습니다")},
		action: []rule{anyText("클러스터 파라미터 그룹에서 require_secure_transport = ON으로 설정하세요.")}},
	"posture-iam-auth": {title: []rule{anyText("IAM 데이터베이스 인증이 꺼져 있습니다")},
		action: []rule{anyText("사람의 접속에는 IAM 인증을 고려하세요.")}},
	"cpu-high-writer": {title: []rule{re(`Writer CPU saturated for (\d+) minutes`, "라이터 CPU가 ${1}분 동안 포화 상태")},
		action: []rule{anyText("orders(status, created_at)에 인덱스를 추가하거나 쿼리를 다시 작성하세요. 느린 쿼리 탭을 참고하세요.")}},
	"alarm-in-alarm": {title: []rule{re(`Alarm (\S+) is in ALARM`, "경보 ${1}이(가) ALARM 상태입니다")},
		action: []rule{anyText("CPU 급증을 해결하면 경보는 저절로 해제됩니다.")}},
	"replica-lag": {title: []rule{re(`Replica lag on (\S+)`, "${1}의 복제 지연")},
		action: []rule{anyText("CPU 급증 동안 리더의 부하를 확인하세요.")}},
	"maintenance-forced": {title: []rule{re(`Forced OS upgrade in (\d+) days`, "${1}일 후 OS 업그레이드 강제 적용")},
		action: []rule{anyText("다음 유지 관리 기간에 적용하세요.")}},
	"alarms-missing": {title: []rule{re(`(\d+) recommended alarms are missing`, "권장 경보 ${1}개가 없습니다")},
		action: []rule{anyText("권장 사항 및 경보 탭의 명령으로 만드세요.")}},
	"slow-log-threshold": {title: []rule{re(`Slow log misses queries under (.+)`, "느린 쿼리 로그가 ${1} 미만의 쿼리를 놓칩니다")},
		action: []rule{re(`Set long_query_time to (.+) in (\S+)\.`, "${2}에서 long_query_time을 ${1}로 설정하세요.")}},
	"pi-off": {title: []rule{re(`Performance Insights off on (\S+)`, "${1}의 Performance Insights 꺼짐")},
		action: []rule{anyText("Performance Insights를 켜세요.")}},
}

// FindingCodes lists every code with Korean texts (for tests).
func FindingCodes() []string {
	out := make([]string, 0, len(findings))
	for k := range findings {
		out = append(out, k)
	}
	return out
}

// Finding returns a finding's title and action in lang. English, an unknown code, or an English text no
// rule matches returns the text unchanged.
func Finding(lang, code, title, action string) (string, string) {
	if Norm(lang) != KO {
		return title, action
	}
	r, ok := findings[code]
	if !ok {
		return title, action
	}
	return apply(r.title, title), apply(r.action, action)
}

func apply(rules []rule, en string) string {
	if en == "" {
		return ""
	}
	for _, r := range rules {
		m := r.re.FindStringSubmatchIndex(en)
		if m == nil {
			continue
		}
		tmpl := r.ko
		if strings.Contains(tmpl, "${role}") {
			role := ""
			if len(m) >= 4 && m[2] >= 0 {
				role = roleKO.Replace(en[m[2]:m[3]])
			}
			tmpl = strings.ReplaceAll(tmpl, "${role}", role)
		}
		return string(r.re.ExpandString(nil, tmpl, en, m))
	}
	return en
}
