DROP INDEX attempt_user_response;
