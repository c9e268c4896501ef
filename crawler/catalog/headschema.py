"""What the migrations up to revision 0011 make of an empty SQLite database.

Written by ``python -m crawler.catalog.schemadump`` from the migrations: do not edit.
"""

HEAD_REVISION = '0011'

HEAD_SCHEMA: tuple[str, ...] = (
    'CREATE TABLE alembic_version (\n'
    '\tversion_num VARCHAR(32) NOT NULL, \n'
    '\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n'
    ')',
    'CREATE TABLE articles (\n'
    '\tid INTEGER NOT NULL, \n'
    '\toutlet_id VARCHAR(64) NOT NULL, \n'
    '\turl TEXT NOT NULL, \n'
    '\tfirst_seen DATETIME NOT NULL, \n'
    '\tlast_seen DATETIME NOT NULL, \n'
    '\tlatest_version INTEGER NOT NULL, \n'
    '\tlanguage VARCHAR(12), \n'
    '\tpublished VARCHAR(40), \n'
    '\tPRIMARY KEY (id), \n'
    '\tUNIQUE (url)\n'
    ')',
    'CREATE INDEX ix_articles_language ON articles (language)',
    'CREATE INDEX ix_articles_outlet_id ON articles (outlet_id)',
    'CREATE INDEX ix_articles_published ON articles (published)',
    'CREATE TABLE captures (\n'
    '\tid INTEGER NOT NULL, \n'
    '\trun_id VARCHAR(80), \n'
    '\toutlet_id VARCHAR(64) NOT NULL, \n'
    '\turl TEXT NOT NULL, \n'
    '\tcaptured_at DATETIME NOT NULL, \n'
    '\tstatus INTEGER NOT NULL, \n'
    '\tcontent_type VARCHAR(200), \n'
    '\trecord_type VARCHAR(20) NOT NULL, \n'
    '\twarc_file TEXT NOT NULL, \n'
    '\twarc_offset BIGINT NOT NULL, \n'
    '\twarc_length BIGINT NOT NULL, \n'
    '\tpayload_digest VARCHAR(80), \n'
    '\twarc_record_id VARCHAR(80) NOT NULL, \n'
    '\tetag TEXT, \n'
    '\tlast_modified VARCHAR(64), \n'
    '\tPRIMARY KEY (id), \n'
    '\tCONSTRAINT uq_captures_record UNIQUE (warc_record_id)\n'
    ')',
    'CREATE INDEX ix_captures_outlet_id ON captures (outlet_id)',
    'CREATE INDEX ix_captures_payload_digest ON captures (payload_digest)',
    'CREATE INDEX ix_captures_run_id ON captures (run_id)',
    'CREATE INDEX ix_captures_url_time ON captures (url, captured_at)',
    'CREATE TABLE outlets (\n'
    '\tid VARCHAR(64) NOT NULL, \n'
    '\tname VARCHAR(200) NOT NULL, \n'
    '\thomepage TEXT NOT NULL, \n'
    '\tlanguages JSON NOT NULL, \n'
    '\tenabled BOOLEAN NOT NULL, \n'
    '\tconfig_hash VARCHAR(64), \n'
    '\tupdated_at DATETIME NOT NULL, \n'
    '\tPRIMARY KEY (id)\n'
    ')',
    'CREATE TABLE runs (\n'
    '\tid VARCHAR(80) NOT NULL, \n'
    '\toutlet_id VARCHAR(64) NOT NULL, \n'
    '\t"trigger" VARCHAR(20) NOT NULL, \n'
    '\tstatus VARCHAR(20) NOT NULL, \n'
    '\tqueued_at DATETIME NOT NULL, \n'
    '\tstarted_at DATETIME, \n'
    '\tended_at DATETIME, \n'
    '\tpid INTEGER, \n'
    '\texit_code INTEGER, \n'
    '\treason TEXT, \n'
    '\tlog_path TEXT, \n'
    '\tpages INTEGER NOT NULL, \n'
    '\tarticles_new INTEGER NOT NULL, \n'
    '\tarticles_changed INTEGER NOT NULL, \n'
    '\tarticles_unchanged INTEGER NOT NULL, \n'
    '\terrors INTEGER NOT NULL, \n'
    '\tstats JSON NOT NULL, scheduled_for DATETIME, host VARCHAR(255), '
    'cancel_requested_at DATETIME, owner VARCHAR(300), heartbeat_at '
    "DATETIME, bytes_received BIGINT DEFAULT '0' NOT NULL, warc_file "
    'TEXT, progress_at DATETIME, \n'
    '\tPRIMARY KEY (id)\n'
    ')',
    'CREATE INDEX ix_runs_outlet_id ON runs (outlet_id)',
    'CREATE INDEX ix_runs_status ON runs (status)',
    'CREATE TABLE article_versions (\n'
    '\tid INTEGER NOT NULL, \n'
    '\tarticle_id INTEGER NOT NULL, \n'
    '\tversion INTEGER NOT NULL, \n'
    '\tcapture_id INTEGER, \n'
    '\tcaptured_at DATETIME NOT NULL, \n'
    '\tfetched_url TEXT NOT NULL, \n'
    '\ttitle TEXT, \n'
    '\tauthor TEXT, \n'
    '\tpublished VARCHAR(40), \n'
    '\tpublished_source VARCHAR(40), \n'
    '\tdescription TEXT, \n'
    '\ttext TEXT NOT NULL, \n'
    '\ttext_digest VARCHAR(64) NOT NULL, \n'
    '\tlanguage VARCHAR(12), \n'
    '\tlanguage_confidence FLOAT, \n'
    '\tlanguages JSON NOT NULL, \n'
    '\thtml_lang VARCHAR(20), \n'
    '\tencoding VARCHAR(40), modified VARCHAR(40), authors JSON, lead_image '
    'TEXT, section TEXT, keywords JSON, tags JSON, metadata_sources '
    'JSON, extractor VARCHAR(40), markdown TEXT, boilerplate JSON, \n'
    '\tPRIMARY KEY (id), \n'
    '\tFOREIGN KEY(article_id) REFERENCES articles (id), \n'
    '\tFOREIGN KEY(capture_id) REFERENCES captures (id), \n'
    '\tCONSTRAINT uq_article_version UNIQUE (article_id, version)\n'
    ')',
    'CREATE INDEX ix_article_versions_article_id ON article_versions (article_id)',
    'CREATE TABLE search_state (\n'
    '\tid INTEGER NOT NULL, \n'
    '\tanalyzer_version INTEGER NOT NULL, \n'
    '\tlast_version_id BIGINT NOT NULL, \n'
    '\tlast_digest VARCHAR(64), \n'
    '\tPRIMARY KEY (id)\n'
    ')',
    'CREATE TABLE users (\n'
    '\tid INTEGER NOT NULL, \n'
    '\tname VARCHAR(64) NOT NULL, \n'
    '\trole VARCHAR(20) NOT NULL, \n'
    '\tdisabled BOOLEAN NOT NULL, \n'
    '\tcreated_at DATETIME NOT NULL, \n'
    '\tPRIMARY KEY (id), \n'
    '\tUNIQUE (name)\n'
    ')',
    'CREATE TABLE api_tokens (\n'
    '\tid INTEGER NOT NULL, \n'
    '\tuser_id INTEGER NOT NULL, \n'
    '\t"key" VARCHAR(32) NOT NULL, \n'
    '\tsecret_hash VARCHAR(200) NOT NULL, \n'
    '\tcreated_at DATETIME NOT NULL, \n'
    '\trevoked_at DATETIME, \n'
    '\tlast_used_at DATETIME, \n'
    '\tPRIMARY KEY (id), \n'
    '\tFOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, \n'
    '\tUNIQUE ("key")\n'
    ')',
    'CREATE INDEX ix_api_tokens_user_id ON api_tokens (user_id)',
    'CREATE TABLE web_sessions (\n'
    '\tid_hash VARCHAR(64) NOT NULL, \n'
    '\tuser_id INTEGER NOT NULL, \n'
    '\tcsrf VARCHAR(64) NOT NULL, \n'
    '\tcreated_at DATETIME NOT NULL, \n'
    '\texpires_at DATETIME NOT NULL, \n'
    '\tPRIMARY KEY (id_hash), \n'
    '\tFOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE\n'
    ')',
    'CREATE INDEX ix_web_sessions_user_id ON web_sessions (user_id)',
    'CREATE INDEX ix_web_sessions_expires_at ON web_sessions (expires_at)',
    'CREATE TABLE alerts (\n'
    '\tid INTEGER NOT NULL, \n'
    '\t"key" VARCHAR(200) NOT NULL, \n'
    '\tkind VARCHAR(40) NOT NULL, \n'
    '\tsubject VARCHAR(100) NOT NULL, \n'
    '\tseverity VARCHAR(20) NOT NULL, \n'
    '\tsummary TEXT NOT NULL, \n'
    '\tdetails JSON NOT NULL, \n'
    '\traised_at DATETIME NOT NULL, \n'
    '\tcleared_at DATETIME, \n'
    '\tdeliveries JSON NOT NULL, \n'
    '\tPRIMARY KEY (id)\n'
    ')',
    'CREATE INDEX ix_alerts_key ON alerts ("key")',
    'CREATE INDEX ix_alerts_open ON alerts (cleared_at, "key")',
    'CREATE UNIQUE INDEX uq_alerts_open_key ON alerts ("key") WHERE '
    'cleared_at IS NULL',
    'CREATE VIRTUAL TABLE search_index USING fts5(exact, stems, facets, '
    "content='', tokenize='ascii', detail=full, columnsize=0)",
    'CREATE INDEX ix_article_versions_search ON article_versions (id, '
    'article_id, version, language, published, captured_at)',
    'CREATE TABLE run_log_chunks (\n'
    '\tid INTEGER NOT NULL, \n'
    '\trun_id VARCHAR(80) NOT NULL, \n'
    '\tstart BIGINT NOT NULL, \n'
    '\t"end" BIGINT NOT NULL, \n'
    '\tlines TEXT NOT NULL, \n'
    '\tPRIMARY KEY (id), \n'
    '\tCONSTRAINT uq_run_log_chunks_start UNIQUE (run_id, start)\n'
    ')',
    "INSERT INTO alembic_version (version_num) VALUES ('0011')",
    'INSERT INTO search_state (id, analyzer_version, last_version_id, '
    'last_digest) VALUES (1, 0, 0, NULL)',
)
