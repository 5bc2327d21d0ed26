package core

import "context"

// ErrAppointmentPlanned refuses a planned appointment for a lead that has
// one planned already (CreateSoleAppointment): Casabaca's "La prospeccion
// seleccionada ya tiene una reunión planificada".
var ErrAppointmentPlanned = &Error{Code: Conflict, Message: "the lead has a planned appointment already",
	Fields: map[string]string{"appointments": "planned"}}

// CreateSoleAppointment is CreateAppointment for a lead that may hold one
// planned appointment at a time (a Casabaca prospección and its meeting):
// a planned appointment for a lead with one planned already is
// ErrAppointmentPlanned, checked inside the write on the lead's row, so
// two at once make one. An appointment held (done) is always taken.
func (s *Service) CreateSoleAppointment(ctx context.Context, a Appointment) (Appointment, error) {
	normaliseTexts(&a) // text in NFC (text.go)
	return s.createAppointment(ctx, a, true)
}
