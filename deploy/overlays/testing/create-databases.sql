-- One database per data service (PEOPLE_DATABASE_URL, ...) and the events database (EVENTS_DATABASE_URL).
CREATE DATABASE hr_people;
CREATE DATABASE hr_identity;
CREATE DATABASE hr_talent;
CREATE DATABASE hr_timeoff;
CREATE DATABASE hr_inbox;
CREATE DATABASE hr_cases;
CREATE DATABASE hr_events;
